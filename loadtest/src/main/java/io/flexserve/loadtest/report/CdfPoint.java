package io.flexserve.loadtest.report;

/**
 * One point of a latency distribution: {@code fraction} of the requests took at most {@code
 * millis}.
 *
 * @param fraction in [0, 1]
 * @param millis latency, milliseconds
 */
public record CdfPoint(double fraction, double millis) {
  public CdfPoint {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
    }
  }
}
