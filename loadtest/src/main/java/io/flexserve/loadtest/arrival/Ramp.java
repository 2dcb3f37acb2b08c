package io.flexserve.loadtest.arrival;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A Poisson process whose rate changes linearly from {@code fromRate} at the start to {@code
 * toRate} at {@code seconds}, with no arrival at or after {@code seconds}.
 *
 * <p>Sampling by time rescaling (Lewis and Shedler, 1979): the cumulative intensity is {@code Λ(t)
 * = a·t + k·t²/2} with {@code a = fromRate} and {@code k = (toRate − fromRate) / seconds}.
 * Unit-rate Poisson arrivals {@code s} map to wall time {@code Λ⁻¹(s) = 2s / (a + √(a² + 2ks))}, a
 * form that stays exact when {@code k} is 0 and avoids cancellation when {@code k} is negative.
 *
 * @param fromRate rate at the start, requests per second; zero or more, finite
 * @param toRate rate at the end, requests per second; zero or more, finite; not both zero
 * @param seconds length of the ramp; positive and finite
 */
public record Ramp(double fromRate, double toRate, double seconds) implements ArrivalProcess {
  public Ramp {
    Rates.requireRateOrZero(fromRate, "ramp start rate");
    Rates.requireRateOrZero(toRate, "ramp end rate");
    if (fromRate == 0 && toRate == 0) {
      throw new IllegalArgumentException("a ramp needs a start or end rate above 0");
    }
    Rates.requireSeconds(seconds, "ramp length");
  }

  @Override
  public double ratePerSecond() {
    return (fromRate + toRate) / 2;
  }

  /**
   * The intensity at {@code t} seconds from the start, requests per second; 0 from {@code seconds}
   * on.
   */
  public double rateAt(double t) {
    return t < 0 || t >= seconds ? 0 : fromRate + (toRate - fromRate) * t / seconds;
  }

  @Override
  public long[] schedule(ScheduleBounds bounds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    OffsetCollector offsets = new OffsetCollector(bounds);
    double slope = (toRate - fromRate) / seconds;
    double total = ratePerSecond() * seconds;
    double s = 0;
    while (true) {
      s += Rates.exponential(random, 1.0);
      if (s >= total) {
        return offsets.toArray();
      }
      double t = 2 * s / (fromRate + Math.sqrt(Math.max(0, fromRate * fromRate + 2 * slope * s)));
      if (!offsets.add(Math.min(t, Math.nextDown(seconds)))) {
        return offsets.toArray();
      }
    }
  }

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "ramp %s -> %s req/s over %s s (poisson)",
        Rates.num(fromRate),
        Rates.num(toRate),
        Rates.num(seconds));
  }
}
