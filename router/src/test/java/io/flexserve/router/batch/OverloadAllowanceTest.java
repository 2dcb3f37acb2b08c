package io.flexserve.router.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OverloadAllowanceTest {

  private static void round(OverloadAllowance a, double usual, double... latest) {
    for (int i = 0; i < OverloadAllowance.ROUND - latest.length; i++) {
      a.finished(0, usual);
    }
    for (double v : latest) {
      a.finished(0, v);
    }
  }

  @Test
  void nothingIsKept_untilARoundIsComplete() {
    OverloadAllowance a = new OverloadAllowance();
    for (int i = 0; i < OverloadAllowance.ROUND - 1; i++) {
      a.finished(0, 10); // all late, but the round is not complete
    }
    assertEquals(0, a.millis(0));
    a.finished(0, 10);
    assertEquals(5, a.millis(0), 1e-9); // its p99 was 10 ms late: half of that
  }

  @Test
  void oneLateRequestInARound_isWithinTheOnePercent() {
    OverloadAllowance a = new OverloadAllowance();
    round(a, -5, 4); // the p99 is the second-latest: 5 ms early
    assertEquals(0, a.millis(0));
  }

  @Test
  void moreThanOneInAHundredLate_raisesTheAllowanceByHalfTheP99Overshoot() {
    OverloadAllowance a = new OverloadAllowance();
    round(a, -3, 8, 6); // p99 (the second-latest) 6 ms late
    assertEquals(3, a.millis(0), 1e-9);
    round(a, -3, 8, 2);
    assertEquals(4, a.millis(0), 1e-9);
  }

  @Test
  void roundsWhoseP99IsEarly_lowerIt_neverBelowZero() {
    OverloadAllowance a = new OverloadAllowance();
    round(a, -3, 8, 6);
    assertEquals(3, a.millis(0), 1e-9);
    round(a, -4, -2, -2); // p99 2 ms early
    assertEquals(2, a.millis(0), 1e-9);
    round(a, -20);
    assertEquals(0, a.millis(0));
  }

  @Test
  void itFades_whileNoRoundCompletes_soRefusingEverythingCannotLastForever() {
    OverloadAllowance a = new OverloadAllowance();
    round(a, -3, 40, 30); // a stall: +15 ms
    assertEquals(15, a.millis(0), 1e-9);
    assertEquals(7.5, a.millis(OverloadAllowance.HALF_LIFE_MILLIS), 1e-9);
    assertEquals(15, a.millis(-5), 1e-9); // not before it was set
  }

  @Test
  void badSamples_areIgnored() {
    OverloadAllowance a = new OverloadAllowance();
    for (int i = 0; i < 2 * OverloadAllowance.ROUND; i++) {
      a.finished(0, Double.NaN);
      a.finished(0, Double.POSITIVE_INFINITY);
    }
    assertEquals(0, a.millis(0));
  }
}
