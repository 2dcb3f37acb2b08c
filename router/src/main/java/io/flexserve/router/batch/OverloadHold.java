package io.flexserve.router.batch;

/**
 * Whether the server is overloaded now, judged by its own refusals: overloaded from a refusal for
 * load (a full queue, or a target the queue makes unreachable) until {@code holdMillis} pass
 * without another. Admission counts the spread of the whole queue ahead while overloaded ({@link
 * Admission.Spread#QUEUE}) and the candidate's own run otherwise.
 *
 * <p>Why the load decides: the two objectives want different admission. Below capacity every
 * refusal is a miss the server chose, so it should admit a request that will probably be on time.
 * Past capacity requests are refused anyway, and the ones admitted must keep their targets 99 times
 * in 100, behind a queue several runs deep. A refusal is the server's own sign that it is past what
 * it can serve: at twice capacity, refusals come in rare clusters after a stall; at five times,
 * continually.
 *
 * <p>Fed with times as data (no clock). Not thread-safe: the scheduler guards it with its lock.
 */
public final class OverloadHold {
  private final double holdMillis;
  private double lastRefusalMillis = Double.NEGATIVE_INFINITY;

  /**
   * @param holdMillis how long a refusal keeps the server overloaded; 0 never does (admission
   *     always counts the candidate's own run only)
   */
  public OverloadHold(double holdMillis) {
    if (!(holdMillis >= 0) || Double.isInfinite(holdMillis)) {
      throw new IllegalArgumentException("overload hold must be ≥ 0 ms, got " + holdMillis);
    }
    this.holdMillis = holdMillis;
  }

  /** Records a refusal for load at {@code atMillis}. */
  public void refused(double atMillis) {
    lastRefusalMillis = Math.max(lastRefusalMillis, atMillis);
  }

  /** The spread admission allows at {@code nowMillis}. */
  public Admission.Spread spread(double nowMillis) {
    return holdMillis > 0 && nowMillis - lastRefusalMillis <= holdMillis
        ? Admission.Spread.QUEUE
        : Admission.Spread.OWN_RUN;
  }

  public double holdMillis() {
    return holdMillis;
  }
}
