package io.flexserve.router.batch;

import java.util.ArrayDeque;

/**
 * Recent arrival rate of one model's requests: arrivals in the last {@code windowMillis}, divided
 * by the window. Fed with arrival times as data (no clock). Not thread-safe: the scheduler guards
 * it with its lock.
 */
public final class ArrivalRate {
  private final double windowMillis;
  private final ArrayDeque<Double> times = new ArrayDeque<>();

  public ArrivalRate(double windowMillis) {
    if (!(windowMillis > 0)) {
      throw new IllegalArgumentException("window must be > 0 ms, got " + windowMillis);
    }
    this.windowMillis = windowMillis;
  }

  /** Records an arrival at {@code atMillis}; times must not go backwards. */
  public void arrived(double atMillis) {
    times.addLast(atMillis);
    evict(atMillis);
  }

  /** Requests per millisecond over the window ending at {@code nowMillis}. */
  public double perMillisecond(double nowMillis) {
    evict(nowMillis);
    return times.size() / windowMillis;
  }

  private void evict(double nowMillis) {
    while (!times.isEmpty() && times.peekFirst() < nowMillis - windowMillis) {
      times.removeFirst();
    }
  }
}
