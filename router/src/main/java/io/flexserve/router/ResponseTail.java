package io.flexserve.router;

/**
 * How much of every latency target to reserve for what follows a request's run: encoding its
 * answer, handing it to the thread that writes it, and writing it. The reserve is a configured
 * floor raised to a high quantile of the tails measured on recent answers, so it follows the
 * machine and the load: with many answers per run, or an event loop that shares its core with
 * inference, the last answer of a run leaves milliseconds after the run ends.
 *
 * <p>A deadline is {@code arrival + target − margin}; a run the router plans to end by then leaves
 * the answer's tail to the margin. With too small a margin the server judges a request met that the
 * client sees late; with too large a one it chooses smaller sub-networks than it needs to.
 *
 * <p>Thread-safe: answers are observed on event loops, the margin is read under a scheduler's lock.
 */
public final class ResponseTail {
  /** The quantile of recent tails reserved: an answer's tail exceeds the margin 1 time in 100. */
  public static final double QUANTILE = 0.99;

  private final double floorMillis;
  private final double maxAgeMillis;
  private final SortedWindow window;
  private final int updateEvery;
  private int sinceUpdate;
  private long observed;
  private volatile double marginMillis;

  /**
   * @param floorMillis the least margin, and the margin before any tail is measured; ≥ 0
   * @param window how many recent tails the quantile is taken over, at most; ≥ 1
   * @param maxAgeMillis how long a tail counts, at most; > 0. At low rates a window of answers
   *     spans minutes: without an age limit, the tails of a burst, or of a server still compiling
   *     its answer path, would set the margin long after they stopped happening.
   */
  public ResponseTail(double floorMillis, int window, double maxAgeMillis) {
    if (!(floorMillis >= 0) || window < 1 || !(maxAgeMillis > 0)) {
      throw new IllegalArgumentException(
          "floor must be ≥ 0, window ≥ 1 and max age > 0, got "
              + floorMillis
              + ", "
              + window
              + " and "
              + maxAgeMillis);
    }
    this.floorMillis = floorMillis;
    this.maxAgeMillis = maxAgeMillis;
    this.window = new SortedWindow(window);
    // the margin is recomputed every window/16 answers, and whenever old tails leave by age
    this.updateEvery = Math.max(1, window / 16);
    this.marginMillis = floorMillis;
  }

  /**
   * The tail of one answer: from its run's end until its answer was written, in milliseconds.
   *
   * @param atMillis when it was written, on any clock that only moves forward
   */
  public synchronized void observe(double atMillis, double tailMillis) {
    if (!(tailMillis >= 0) || Double.isInfinite(tailMillis) || !Double.isFinite(atMillis)) {
      return; // a clock step or a bad sample says nothing about the tail
    }
    boolean aged = false;
    while (window.size() > 0 && window.oldestStamp() < atMillis - maxAgeMillis) {
      window.removeOldest();
      aged = true;
    }
    observed++;
    window.add(tailMillis, atMillis);
    if (++sinceUpdate >= updateEvery || aged) {
      sinceUpdate = 0;
      marginMillis = Math.max(floorMillis, window.quantile(QUANTILE));
    }
  }

  /** What each target reserves now: the floor, or the recent tails' quantile when higher. */
  public double marginMillis() {
    return marginMillis;
  }

  public double floorMillis() {
    return floorMillis;
  }

  /** How many tails have been observed. */
  public synchronized long observed() {
    return observed;
  }
}
