package io.flexserve.loadtest.arrival;

/**
 * Where a schedule stops: after {@code maxRequests} arrivals or at the first arrival at or after
 * {@code durationSeconds}, whichever comes first.
 *
 * @param maxRequests at most this many arrivals; 1 to {@link #HARD_CAP}
 * @param durationSeconds no arrival at or after this offset from the start, in seconds; positive,
 *     and {@link Double#POSITIVE_INFINITY} when only the request count bounds the run
 */
public record ScheduleBounds(int maxRequests, double durationSeconds) {
  /** No run sends more than this many requests, whatever the flags say. */
  public static final int HARD_CAP = 100_000;

  public ScheduleBounds {
    if (maxRequests < 1 || maxRequests > HARD_CAP) {
      throw new IllegalArgumentException(
          "maxRequests must be 1.." + HARD_CAP + ", got " + maxRequests);
    }
    if (!(durationSeconds > 0)) {
      throw new IllegalArgumentException("durationSeconds must be > 0, got " + durationSeconds);
    }
  }

  /** Bounds by request count only. */
  public static ScheduleBounds requests(int maxRequests) {
    return new ScheduleBounds(maxRequests, Double.POSITIVE_INFINITY);
  }

  /** Bounds by duration only; the request count is still capped at {@link #HARD_CAP}. */
  public static ScheduleBounds duration(double durationSeconds) {
    return new ScheduleBounds(HARD_CAP, durationSeconds);
  }
}
