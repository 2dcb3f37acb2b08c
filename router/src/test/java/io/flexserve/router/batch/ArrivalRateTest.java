package io.flexserve.router.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArrivalRateTest {

  /** One arrival every {@code every} ms from {@code from} (inclusive) to {@code to} (exclusive). */
  private static void feed(ArrivalRate rate, double from, double to, double every) {
    for (double t = from; t < to; t += every) {
      rate.arrived(t);
    }
  }

  @Test
  void steadyLoad_readsTheLongWindowsRate() {
    ArrivalRate rate = new ArrivalRate(1000, 100);
    feed(rate, 0, 3000, 20); // 50 req/s
    assertEquals(0.05, rate.perMillisecond(2990), 1e-9);
  }

  @Test
  void burstOnset_isSeenWithinTheShortWindow_notAfterTheLongOne() {
    ArrivalRate both = new ArrivalRate(1000, 100);
    ArrivalRate longOnly = new ArrivalRate(1000, 0);
    for (ArrivalRate rate : new ArrivalRate[] {both, longOnly}) {
      feed(rate, 0, 2000, 20); // 50 req/s, then a burst at 200 req/s
      feed(rate, 2000, 2100, 5);
    }
    // 100 ms into the burst: the long window holds 45 + 20 arrivals; the short one the burst's 20
    assertEquals(0.065, longOnly.perMillisecond(2099), 1e-9);
    assertEquals(0.2, both.perMillisecond(2099), 1e-9);
  }

  @Test
  void afterABurst_theRateFallsAtTheLongWindowsPace() {
    ArrivalRate rate = new ArrivalRate(1000, 100);
    feed(rate, 0, 500, 5); // 100 arrivals in 500 ms, then nothing
    assertEquals(0.1, rate.perMillisecond(700), 1e-9, "the short window is empty, the long is not");
    assertEquals(0.0, rate.perMillisecond(1500), 1e-9);
  }

  @Test
  void badWindows_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ArrivalRate(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new ArrivalRate(Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> new ArrivalRate(1000, -1));
    assertThrows(IllegalArgumentException.class, () -> new ArrivalRate(1000, 1001));
  }
}
