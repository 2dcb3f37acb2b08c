package io.flexserve.loadtest.arrival;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArrivalProcessTest {
  private static final long SEED = 42;

  @Test
  void poisson_fixedSeed_meanRateWithinTwoPercent() {
    long[] offsets =
        new ArrivalProcess.Poisson(200).schedule(ScheduleBounds.requests(20_000), SEED);

    assertEquals(20_000, offsets.length);
    double seconds = offsets[offsets.length - 1] / 1e9;
    assertEquals(200, offsets.length / seconds, 200 * 0.02);
  }

  @Test
  void poisson_gaps_haveCoefficientOfVariationNearOne() {
    long[] offsets =
        new ArrivalProcess.Poisson(100).schedule(ScheduleBounds.requests(20_000), SEED);

    double[] gaps = gaps(offsets);
    double mean = Arrays.stream(gaps).average().orElseThrow();
    double sd =
        Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
    assertEquals(1.0, sd / mean, 0.05);
  }

  @Test
  void poisson_equalSeeds_giveEqualSchedules() {
    ArrivalProcess poisson = new ArrivalProcess.Poisson(50);

    assertArrayEquals(
        poisson.schedule(ScheduleBounds.requests(1000), 7),
        poisson.schedule(ScheduleBounds.requests(1000), 7));
  }

  @Test
  void equalSeeds_giveEqualSchedules_forEveryProcess() {
    for (ArrivalProcess process : processes()) {
      assertArrayEquals(
          process.schedule(ScheduleBounds.requests(500), 11),
          process.schedule(ScheduleBounds.requests(500), 11),
          process.describe());
    }
  }

  @Test
  void poisson_differentSeeds_giveDifferentSchedules() {
    ArrivalProcess poisson = new ArrivalProcess.Poisson(50);

    assertFalse(
        Arrays.equals(
            poisson.schedule(ScheduleBounds.requests(100), 1),
            poisson.schedule(ScheduleBounds.requests(100), 2)));
  }

  @Test
  void schedule_anyProcess_isAscendingAndNonNegative() {
    for (ArrivalProcess process : processes()) {
      long[] offsets = process.schedule(ScheduleBounds.requests(5000), SEED);
      for (int i = 0; i < offsets.length; i++) {
        assertTrue(
            offsets[i] >= 0 && (i == 0 || offsets[i] >= offsets[i - 1]),
            process.describe() + " at " + i);
      }
    }
  }

  @Test
  void schedule_durationBound_stopsBeforeDuration() {
    for (ArrivalProcess process : processes()) {
      long[] offsets = process.schedule(ScheduleBounds.duration(2.0), SEED);

      assertTrue(offsets[offsets.length - 1] < 2_000_000_000L, process.describe());
      // about rate × duration = 200 arrivals
      assertEquals(200, offsets.length, 60, process.describe());
    }
  }

  @Test
  void schedule_requestBoundBeforeDuration_stopsAtCount() {
    for (ArrivalProcess process : processes()) {
      assertEquals(
          37, process.schedule(new ScheduleBounds(37, 1000), SEED).length, process.describe());
    }
  }

  @Test
  void schedule_durationOnly_isCappedAtHardCap() {
    long[] offsets =
        new ArrivalProcess.Constant(1_000_000).schedule(ScheduleBounds.duration(1000), SEED);

    assertEquals(ScheduleBounds.HARD_CAP, offsets.length);
  }

  @Test
  void constant_offsets_areEvenlySpacedFromZero() {
    long[] offsets = new ArrivalProcess.Constant(4).schedule(ScheduleBounds.requests(5), SEED);

    assertArrayEquals(
        new long[] {0, 250_000_000, 500_000_000, 750_000_000, 1_000_000_000}, offsets);
  }

  @Test
  void constant_ignoresSeed() {
    ArrivalProcess constant = new ArrivalProcess.Constant(10);

    assertArrayEquals(
        constant.schedule(ScheduleBounds.requests(50), 1),
        constant.schedule(ScheduleBounds.requests(50), 2));
  }

  @Test
  void bursty_noArrivalsInOffPeriods() {
    long[] offsets =
        new ArrivalProcess.Bursty(100, 200, 300).schedule(ScheduleBounds.requests(10_000), SEED);

    long periodNanos = 500_000_000L;
    for (long offset : offsets) {
      assertTrue(
          offset % periodNanos < 200_000_000L, "arrival at " + offset + " ns is in an off-period");
    }
  }

  @Test
  void bursty_meanRateOverWholeCycles_isRate() {
    ArrivalProcess.Bursty bursty = new ArrivalProcess.Bursty(100, 200, 300);

    // 100 whole cycles of 0.5 s: expect 100 req/s × 50 s = 5000 arrivals.
    long[] offsets = bursty.schedule(ScheduleBounds.duration(50.0), SEED);

    assertEquals(5000, offsets.length, 5000 * 0.03);
    assertEquals(250.0, bursty.onRatePerSecond(), 1e-9);
  }

  @Test
  void bursty_equalSeeds_giveEqualSchedules() {
    ArrivalProcess bursty = new ArrivalProcess.Bursty(30, 100, 900);

    assertArrayEquals(
        bursty.schedule(ScheduleBounds.requests(500), 9),
        bursty.schedule(ScheduleBounds.requests(500), 9));
  }

  @Test
  void bursty_noOffPeriod_isPoissonAtRate() {
    long[] offsets =
        new ArrivalProcess.Bursty(200, 100, 0).schedule(ScheduleBounds.requests(20_000), SEED);

    assertEquals(200, offsets.length / (offsets[offsets.length - 1] / 1e9), 200 * 0.02);
  }

  @Test
  void constructors_invalidRateOrPeriods_fail() {
    assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Poisson(0));
    assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Constant(Double.NaN));
    assertThrows(
        IllegalArgumentException.class, () -> new ArrivalProcess.Poisson(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Bursty(10, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new ArrivalProcess.Bursty(10, 10, -1));
  }

  @Test
  void scheduleBounds_beyondHardCapOrNoDuration_fail() {
    assertThrows(
        IllegalArgumentException.class, () -> ScheduleBounds.requests(ScheduleBounds.HARD_CAP + 1));
    assertThrows(IllegalArgumentException.class, () -> ScheduleBounds.requests(0));
    assertThrows(IllegalArgumentException.class, () -> ScheduleBounds.duration(0));
  }

  @Test
  void ramp_countsPerSegmentFollowTheLinearRate() {
    // 0 → 400 req/s over 10 s: the first half holds a quarter of the 2000 arrivals, the second
    // three quarters.
    long[] offsets =
        new Ramp(0, 400, 10).schedule(ScheduleBounds.requests(ScheduleBounds.HARD_CAP), SEED);

    long firstHalf = Arrays.stream(offsets).filter(o -> o < 5_000_000_000L).count();
    assertEquals(2000, offsets.length, 2000 * 0.05);
    assertEquals(0.25, firstHalf / (double) offsets.length, 0.03);
    long lastSecond = Arrays.stream(offsets).filter(o -> o >= 9_000_000_000L).count();
    assertEquals(390, lastSecond, 390 * 0.2, "the rate in [9 s, 10 s) averages 380..400 req/s");
  }

  @Test
  void ramp_downwards_isTheMirrorImage_andStopsAtItsLength() {
    long[] offsets =
        new Ramp(400, 0, 10).schedule(ScheduleBounds.requests(ScheduleBounds.HARD_CAP), SEED);

    long firstHalf = Arrays.stream(offsets).filter(o -> o < 5_000_000_000L).count();
    assertEquals(0.75, firstHalf / (double) offsets.length, 0.03);
    assertTrue(offsets[offsets.length - 1] < 10_000_000_000L);
    assertEquals(200.0, new Ramp(400, 0, 10).ratePerSecond());
    assertEquals(300.0, new Ramp(200, 400, 10).rateAt(5));
  }

  @Test
  void ramp_flat_isPoissonAtThatRate() {
    long[] offsets =
        new Ramp(100, 100, 100).schedule(ScheduleBounds.requests(ScheduleBounds.HARD_CAP), SEED);

    assertEquals(10_000, offsets.length, 10_000 * 0.03);
    double[] gaps = gaps(offsets);
    double mean = Arrays.stream(gaps).average().orElseThrow();
    double sd =
        Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
    assertEquals(1.0, sd / mean, 0.05);
  }

  @Test
  void steps_eachStepHasItsRate_andAPauseHasNoArrivals() {
    Steps steps = Steps.parse("50:4, 0:2, 200:4");

    long[] offsets = steps.schedule(ScheduleBounds.requests(ScheduleBounds.HARD_CAP), SEED);

    long first = Arrays.stream(offsets).filter(o -> o < 4_000_000_000L).count();
    long pause =
        Arrays.stream(offsets).filter(o -> o >= 4_000_000_000L && o < 6_000_000_000L).count();
    long last = Arrays.stream(offsets).filter(o -> o >= 6_000_000_000L).count();
    assertEquals(200, first, 200 * 0.2);
    assertEquals(0, pause);
    assertEquals(800, last, 800 * 0.1);
    assertTrue(offsets[offsets.length - 1] < 10_000_000_000L);
    assertEquals(10.0, steps.seconds());
    assertEquals(100.0, steps.ratePerSecond(), 1e-9);
  }

  @Test
  void steps_durationBoundCutsTheLaterSteps() {
    long[] offsets = Steps.parse("100:1,100:1,100:1").schedule(ScheduleBounds.duration(1.5), SEED);

    assertTrue(offsets[offsets.length - 1] < 1_500_000_000L);
    assertEquals(150, offsets.length, 40);
  }

  @Test
  void steps_parse_malformed_failsNamingTheStep() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Steps.parse("10:5,fast:5"));
    assertTrue(e.getMessage().contains("'fast:5'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Steps.parse("10"));
    assertThrows(IllegalArgumentException.class, () -> Steps.parse("0:5,0:3"));
    assertThrows(IllegalArgumentException.class, () -> Steps.parse("10:0"));
    assertThrows(IllegalArgumentException.class, () -> Steps.parse("-1:5"));
  }

  @Test
  void ramp_invalid_fails() {
    assertThrows(IllegalArgumentException.class, () -> new Ramp(0, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new Ramp(-1, 10, 10));
    assertThrows(IllegalArgumentException.class, () -> new Ramp(1, 10, 0));
    assertThrows(IllegalArgumentException.class, () -> new Ramp(1, 10, Double.POSITIVE_INFINITY));
  }

  private static ArrivalProcess[] processes() {
    return new ArrivalProcess[] {
      new ArrivalProcess.Poisson(100),
      new ArrivalProcess.Constant(100),
      new ArrivalProcess.Bursty(100, 250, 250),
      new Ramp(99, 101, 1000),
      Steps.parse("100:1000")
    };
  }

  private static double[] gaps(long[] offsets) {
    double[] gaps = new double[offsets.length - 1];
    for (int i = 1; i < offsets.length; i++) {
      gaps[i - 1] = offsets[i] - offsets[i - 1];
    }
    return gaps;
  }
}
