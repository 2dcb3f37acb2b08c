package io.flexserve.router.batch;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Recent arrival rate of one model's requests: the higher of two trailing windows' rates, a long
 * one and a short one. Fed with arrival times as data (no clock). Not thread-safe: the scheduler
 * guards it with its lock.
 *
 * <p>Why two. The long window is steady under Poisson noise; alone, it lags the onset of a burst by
 * up to its length: a load that doubles after a quiet spell reads as the old rate for most of a
 * second, and the policies that plan for the arrivals behind a run ({@link SlackFit}) choose slow,
 * accurate runs right when the burst needs fast ones. The short window sees the onset within its
 * own length; taking the higher of the two forgets a burst only at the long window's pace.
 */
public final class ArrivalRate {
  private final double windowMillis;
  private final double burstWindowMillis;
  private final ArrayDeque<Double> times = new ArrayDeque<>();

  /**
   * The server's and the simulator's: 1 s, and 100 ms for bursts. At 2× full's capacity the short
   * window halved slackfit's 429s on simulated on/off bursts for 0.01 of mean quality, and on the
   * server cut its 429s under Poisson load from 79 to 52 over three A/B rounds (BENCHMARKS.md,
   * issue 19).
   */
  public static ArrivalRate standard() {
    return new ArrivalRate(1000, 100);
  }

  /**
   * @param windowMillis the long window
   * @param burstWindowMillis the short window, at most the long one; 0 for none
   */
  public ArrivalRate(double windowMillis, double burstWindowMillis) {
    if (!(windowMillis > 0)) {
      throw new IllegalArgumentException("window must be > 0 ms, got " + windowMillis);
    }
    if (!(burstWindowMillis >= 0 && burstWindowMillis <= windowMillis)) {
      throw new IllegalArgumentException(
          "burst window must be in [0, " + windowMillis + "] ms, got " + burstWindowMillis);
    }
    this.windowMillis = windowMillis;
    this.burstWindowMillis = burstWindowMillis;
  }

  /** Records an arrival at {@code atMillis}; times must not go backwards. */
  public void arrived(double atMillis) {
    times.addLast(atMillis);
    evict(atMillis);
  }

  /** Requests per millisecond at {@code nowMillis}: the higher of the two windows' rates. */
  public double perMillisecond(double nowMillis) {
    evict(nowMillis);
    double rate = times.size() / windowMillis;
    if (burstWindowMillis > 0) {
      int recent = 0;
      for (Iterator<Double> it = times.descendingIterator(); it.hasNext(); recent++) {
        if (it.next() < nowMillis - burstWindowMillis) {
          break;
        }
      }
      rate = Math.max(rate, recent / burstWindowMillis);
    }
    return rate;
  }

  private void evict(double nowMillis) {
    while (!times.isEmpty() && times.peekFirst() < nowMillis - windowMillis) {
      times.removeFirst();
    }
  }
}
