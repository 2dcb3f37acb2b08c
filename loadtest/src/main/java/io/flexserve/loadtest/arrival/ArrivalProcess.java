package io.flexserve.loadtest.arrival;

import java.util.SplittableRandom;

/**
 * How requests arrive in an open-loop run. Each process generates the intended send offsets of
 * every request from the start of the run, up front and deterministically for a given seed.
 */
public sealed interface ArrivalProcess
    permits ArrivalProcess.Poisson, ArrivalProcess.Constant, ArrivalProcess.Bursty, Ramp, Steps {

  /**
   * Mean arrival rate in requests per second (over the whole length, for processes that change
   * their rate).
   */
  double ratePerSecond();

  /**
   * Returns the intended send offsets, in nanoseconds from the start of the run, ascending (ties
   * allowed).
   *
   * @param bounds where the schedule stops
   * @param seed seed of the random gaps; processes without randomness ignore it
   * @return a new array of at most {@code bounds.maxRequests()} offsets; empty only when the first
   *     arrival falls at or after the duration bound
   */
  long[] schedule(ScheduleBounds bounds, long seed);

  /** A short human-readable description, such as {@code poisson 50.0 req/s}. */
  String describe();

  /**
   * A Poisson process: independent exponential gaps with mean {@code 1 / rate}, the first one
   * measured from the start.
   *
   * @param ratePerSecond mean rate, requests per second; positive and finite
   */
  record Poisson(double ratePerSecond) implements ArrivalProcess {
    public Poisson {
      Rates.requireRate(ratePerSecond);
    }

    @Override
    public long[] schedule(ScheduleBounds bounds, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      OffsetCollector offsets = new OffsetCollector(bounds);
      double t = 0;
      do {
        t += Rates.exponential(random, ratePerSecond);
      } while (offsets.add(t));
      return offsets.toArray();
    }

    @Override
    public String describe() {
      return "poisson " + ratePerSecond + " req/s";
    }
  }

  /**
   * Evenly spaced arrivals, the first at the start: offset {@code i / rate}.
   *
   * @param ratePerSecond requests per second; positive and finite
   */
  record Constant(double ratePerSecond) implements ArrivalProcess {
    public Constant {
      Rates.requireRate(ratePerSecond);
    }

    @Override
    public long[] schedule(ScheduleBounds bounds, long seed) {
      OffsetCollector offsets = new OffsetCollector(bounds);
      long i = 0;
      while (offsets.add(i / ratePerSecond)) {
        i++;
      }
      return offsets.toArray();
    }

    @Override
    public String describe() {
      return "constant " + ratePerSecond + " req/s";
    }
  }

  /**
   * On/off bursts: Poisson arrivals at {@code rate × (on + off) / on} during each on-period, none
   * during the off-period that follows, so the mean over whole cycles is {@code rate}. The first
   * on-period starts at the start.
   *
   * <p>The on-periods are stitched into one "on-clock": a Poisson process runs on that clock, and
   * each on-clock time {@code u} maps to wall time {@code floor(u / on) × (on + off) + (u mod on)}.
   *
   * @param ratePerSecond mean rate over whole cycles, requests per second; positive and finite
   * @param onMillis length of each burst, milliseconds; positive
   * @param offMillis silence after each burst, milliseconds; zero or more (zero makes it a Poisson
   *     process)
   */
  record Bursty(double ratePerSecond, long onMillis, long offMillis) implements ArrivalProcess {
    public Bursty {
      Rates.requireRate(ratePerSecond);
      if (onMillis <= 0) {
        throw new IllegalArgumentException("burst on-period must be > 0 ms, got " + onMillis);
      }
      if (offMillis < 0) {
        throw new IllegalArgumentException("burst off-period must be >= 0 ms, got " + offMillis);
      }
    }

    /** Arrival rate during an on-period, requests per second. */
    public double onRatePerSecond() {
      return ratePerSecond * (onMillis + offMillis) / onMillis;
    }

    @Override
    public long[] schedule(ScheduleBounds bounds, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      OffsetCollector offsets = new OffsetCollector(bounds);
      double on = onMillis / 1e3;
      double period = (onMillis + offMillis) / 1e3;
      double onRate = onRatePerSecond();
      double onClock = 0;
      double wall;
      do {
        onClock += Rates.exponential(random, onRate);
        double cycles = Math.floor(onClock / on);
        wall = cycles * period + (onClock - cycles * on);
      } while (offsets.add(wall));
      return offsets.toArray();
    }

    @Override
    public String describe() {
      return "bursty "
          + ratePerSecond
          + " req/s ("
          + onRatePerSecond()
          + " req/s for "
          + onMillis
          + " ms, then "
          + offMillis
          + " ms off)";
    }
  }
}
