package io.flexserve.loadtest.report;

/**
 * Requests and how many of them were good, for one model or sub-network in one window.
 *
 * @param count the requests counted: for a model, every request to it; for a sub-network, its 2xx
 *     (a refused or failed request has no sub-network)
 * @param good of those, good
 */
public record Tally(long count, long good) {
  public Tally {
    if (count < 0 || good < 0 || good > count) {
      throw new IllegalArgumentException("need 0 <= good <= count, got " + good + ", " + count);
    }
  }

  /** Good / count, in [0, 1]; NaN when nothing was counted. */
  public double attainment() {
    return count == 0 ? Double.NaN : good / (double) count;
  }

  /** This tally with one more request. */
  Tally plus(boolean isGood) {
    return new Tally(count + 1, good + (isGood ? 1 : 0));
  }
}
