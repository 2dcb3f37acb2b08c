package io.flexserve.router.batch;

import io.flexserve.router.Quantiles;
import java.util.Arrays;

/**
 * How much earlier than its deadline admission must expect a request to finish while the server is
 * overloaded, learned from how late the requests it admitted then really finished.
 *
 * <p>Under overload ({@link OverloadHold}) admission forecasts a request's finish by draining the
 * queue ahead of it at typical times on the fastest sub-network, plus a tail for each run ahead
 * ({@link Admission.Spread#QUEUE}). The real queue drains later than that model says in ways it
 * does not capture: the policy spends the requests' slack on more accurate sub-networks, the event
 * loop takes the core between runs, a slow spell lasts several runs. On the server at five times
 * capacity, with the model alone, the p99 of admitted requests' finish was 13–15 ms behind its
 * forecast, and their p99 latency missed the target on most fresh servers (BENCHMARKS.md, issue 19,
 * stop 32). So the allowance is fed back from the outcome the target is about: how far past its
 * deadline each request admitted under overload finished.
 *
 * <p>After every {@value #ROUND} such requests, the allowance moves by half the round's p99
 * overshoot: up when more than about 1 in 100 finished late, down (not below 0) when even the p99
 * finished early. A round is a fraction of a second at five times capacity; half steps keep one
 * unlucky round from doubling the correction. Between rounds the allowance halves every {@value
 * #HALF_LIFE_MILLIS} ms: an allowance large enough to refuse everything would otherwise never see
 * another round to lower it (on the server, early stalls did that and the server refused 99.9 % of
 * a 5× run). Below capacity nothing is measured and admission does not use the allowance.
 *
 * <p>Not thread-safe: the scheduler guards it with its lock.
 */
public final class OverloadAllowance {
  /** Requests per adjustment: the p99 of a round is its second-latest finish. */
  static final int ROUND = 128;

  private static final double QUANTILE = 0.99;
  private static final double GAIN = 0.5;

  /** The allowance halves every this many milliseconds between rounds. */
  static final double HALF_LIFE_MILLIS = 2000;

  private final double[] round = new double[ROUND];
  private int filled;
  private double millis;
  private double setAtMillis;

  /**
   * A request admitted under overload finished {@code overshootMillis} past its deadline (negative
   * when before it), at {@code nowMillis}.
   */
  public void finished(double nowMillis, double overshootMillis) {
    if (!Double.isFinite(overshootMillis) || !Double.isFinite(nowMillis)) {
      return; // a clock step or a bad sample says nothing
    }
    round[filled++] = overshootMillis;
    if (filled == ROUND) {
      Arrays.sort(round);
      double p99 = Quantiles.ofSorted(round, QUANTILE);
      millis = Math.max(0, millis(nowMillis) + GAIN * p99);
      setAtMillis = nowMillis;
      filled = 0;
    }
  }

  /** What admission keeps in hand under overload at {@code nowMillis}, besides its tails. */
  public double millis(double nowMillis) {
    double since = Math.max(0, nowMillis - setAtMillis);
    return millis * Math.pow(0.5, since / HALF_LIFE_MILLIS);
  }
}
