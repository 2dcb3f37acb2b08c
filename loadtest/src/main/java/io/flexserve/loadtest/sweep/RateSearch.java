package io.flexserve.loadtest.sweep;

import java.util.OptionalDouble;

/**
 * Finds the highest arrival rate at which a probe still passes, between a floor and a ceiling: grow
 * the rate geometrically from the floor until a probe fails (or the ceiling passes), then bisect
 * between the highest passing and the lowest failing rate until they are within a relative
 * tolerance.
 *
 * <p>Assumes that passing is monotone in the rate (if r fails, so does every higher rate). Real
 * probes are noisy near the boundary, so the result is "a rate that passed, with a higher one
 * within the tolerance that failed", not a sharp threshold. Pure logic: the caller runs each probe
 * and reports back, so the search is replayable in tests.
 *
 * <p>Not thread-safe; one caller drives it: {@code while (next().isPresent()) record(rate,
 * passed)}.
 */
public final class RateSearch {
  private final double floor;
  private final double ceiling;
  private final double growth;
  private final double tolerance;
  private final int maxProbes;
  private double highestPass = Double.NaN;
  private double lowestFail = Double.NaN;
  private double pending = Double.NaN;
  private int probes;

  /**
   * @param floor first and lowest rate to probe, requests per second; positive
   * @param ceiling highest rate to probe; at least {@code floor}
   * @param growth factor between consecutive rates while no probe has failed; greater than 1
   * @param tolerance stop bisecting when {@code (lowestFail - highestPass) <= tolerance ×
   *     highestPass}; positive
   * @param maxProbes stop after this many probes whatever the state; 1 or more
   */
  public RateSearch(double floor, double ceiling, double growth, double tolerance, int maxProbes) {
    if (!(floor > 0) || !(ceiling >= floor) || Double.isInfinite(ceiling)) {
      throw new IllegalArgumentException(
          "need 0 < rate-from <= rate-to, got " + floor + " and " + ceiling);
    }
    if (!(growth > 1) || !(tolerance > 0) || maxProbes < 1) {
      throw new IllegalArgumentException(
          "need growth > 1, tolerance > 0 and max probes >= 1, got "
              + growth
              + ", "
              + tolerance
              + ", "
              + maxProbes);
    }
    this.floor = floor;
    this.ceiling = ceiling;
    this.growth = growth;
    this.tolerance = tolerance;
    this.maxProbes = maxProbes;
  }

  /**
   * The next rate to probe, or empty when the search is over.
   *
   * @throws IllegalStateException if the previous rate was not yet {@linkplain #record recorded}
   */
  public OptionalDouble next() {
    if (!Double.isNaN(pending)) {
      throw new IllegalStateException("record the probe at " + pending + " req/s first");
    }
    if (probes >= maxProbes) {
      return OptionalDouble.empty();
    }
    double rate;
    if (Double.isNaN(highestPass) && Double.isNaN(lowestFail)) {
      rate = floor;
    } else if (Double.isNaN(highestPass)) {
      return OptionalDouble.empty();
    } else if (Double.isNaN(lowestFail)) {
      if (highestPass >= ceiling) {
        return OptionalDouble.empty();
      }
      rate = Math.min(ceiling, highestPass * growth);
    } else {
      if (lowestFail - highestPass <= tolerance * highestPass) {
        return OptionalDouble.empty();
      }
      rate = (highestPass + lowestFail) / 2;
    }
    pending = rate;
    return OptionalDouble.of(rate);
  }

  /** Records whether the probe at the rate {@link #next} returned passed. */
  public void record(double rate, boolean passed) {
    if (Double.isNaN(pending) || rate != pending) {
      throw new IllegalStateException("expected a result for " + pending + " req/s, got " + rate);
    }
    pending = Double.NaN;
    probes++;
    if (passed) {
      highestPass = Double.isNaN(highestPass) ? rate : Math.max(highestPass, rate);
    } else {
      lowestFail = Double.isNaN(lowestFail) ? rate : Math.min(lowestFail, rate);
    }
  }

  /** The highest rate that passed; empty when none did (the floor failed). */
  public OptionalDouble highestPassing() {
    return Double.isNaN(highestPass) ? OptionalDouble.empty() : OptionalDouble.of(highestPass);
  }

  /**
   * The lowest rate that failed; empty when none did (the ceiling passed, or probes ran out while
   * growing).
   */
  public OptionalDouble lowestFailing() {
    return Double.isNaN(lowestFail) ? OptionalDouble.empty() : OptionalDouble.of(lowestFail);
  }

  /** Probes recorded so far. */
  public int probes() {
    return probes;
  }
}
