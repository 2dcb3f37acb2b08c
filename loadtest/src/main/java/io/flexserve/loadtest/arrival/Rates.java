package io.flexserve.loadtest.arrival;

import java.util.SplittableRandom;

/** Validation and sampling shared by the arrival processes. */
final class Rates {
  private Rates() {}

  /** Fails unless {@code ratePerSecond} is positive and finite. */
  static void requireRate(double ratePerSecond) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate must be a positive number of requests per second, got " + ratePerSecond);
    }
  }

  /** Fails unless {@code rate} is zero or more and finite; {@code what} names it in the message. */
  static void requireRateOrZero(double rate, String what) {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(what + " must be a finite number >= 0 req/s, got " + rate);
    }
  }

  /** Fails unless {@code seconds} is positive and finite; {@code what} names it in the message. */
  static void requireSeconds(double seconds, String what) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException(
          what + " must be a positive number of seconds, got " + seconds);
    }
  }

  // Inverse-CDF sampling; 1 - nextDouble() lies in (0, 1], so the logarithm is finite.
  static double exponential(SplittableRandom random, double rate) {
    return -Math.log(1.0 - random.nextDouble()) / rate;
  }

  /** A number without a trailing {@code .0} when it is whole, for descriptions. */
  static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
