package io.flexserve.router;

import java.util.Arrays;

/**
 * The last {@code capacity} values of a stream, kept both in arrival order (a ring) and sorted, so
 * a quantile of the window is one lookup. Each value moves the sorted copy by one removal and one
 * insertion (two array shifts) instead of sorting a copy of the window: the estimator and the
 * response tail add one after every run or answer, on the core that serves requests. Not
 * thread-safe.
 *
 * <p>Each value may carry a stamp (the caller's time it was added), so a caller can also bound the
 * window by age ({@link #oldestStamp}, {@link #removeOldest}).
 */
final class SortedWindow {
  private final double[] ring;
  private final double[] stamps; // the stamp of ring[i], same slots
  private final double[] sorted; // the first size values are the ring's, ascending
  private int next;
  private int size;

  SortedWindow(int capacity) {
    this.ring = new double[capacity];
    this.stamps = new double[capacity];
    this.sorted = new double[capacity];
  }

  /** Adds {@code value}, evicting the oldest once the window is full; not NaN. */
  void add(double value) {
    add(value, 0);
  }

  /** As {@link #add(double)}, stamped {@code stamp}. */
  void add(double value, double stamp) {
    if (size == ring.length) {
      int at = Arrays.binarySearch(sorted, 0, size, ring[next]);
      System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
      size--;
    }
    ring[next] = value;
    stamps[next] = stamp;
    next = (next + 1) % ring.length;
    int at = Arrays.binarySearch(sorted, 0, size, value);
    int insert = at < 0 ? -at - 1 : at;
    System.arraycopy(sorted, insert, sorted, insert + 1, size - insert);
    sorted[insert] = value;
    size++;
  }

  /** The oldest value's stamp; the window must not be empty. */
  double oldestStamp() {
    return stamps[oldest()];
  }

  /** Removes the oldest value; the window must not be empty. */
  void removeOldest() {
    double oldest = ring[oldest()];
    int at = Arrays.binarySearch(sorted, 0, size, oldest);
    System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
    size--;
  }

  private int oldest() {
    return Math.floorMod(next - size, ring.length);
  }

  int size() {
    return size;
  }

  /** The nearest-rank {@code q}-quantile of the window ({@link Quantiles}); not empty. */
  double quantile(double q) {
    return Quantiles.ofSorted(sorted, size, q);
  }
}
