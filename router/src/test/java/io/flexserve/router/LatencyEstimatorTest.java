package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyEstimatorTest {
  private final SubnetProfile full =
      new SubnetProfile(
          "full",
          1,
          1,
          LatencyCurve.of(List.of(new LatencyPoint(100, 10), new LatencyPoint(1000, 100))));

  @Test
  void noObservations_predictsTheProfile() {
    LatencyEstimator e = LatencyEstimator.standard();
    assertEquals(10, e.predictMillis(full, 100), 1e-9);
    assertEquals(1, e.correction(), 1e-9);
  }

  @Test
  void standard_plansAtP99_soTwoSlowRunsInAHundredAreTheCorrection() {
    LatencyEstimator e = LatencyEstimator.standard();
    for (int i = 0; i < 3 + 98; i++) { // 3 warm-up runs, then 98 at the profile
      e.observe(full, 100, 10);
    }
    e.observe(full, 100, 30); // two runs in a hundred at 3×: a p98 would ignore them
    e.observe(full, 100, 30);
    assertEquals(3, e.correction(), 1e-9);
    assertEquals(1, e.typicalCorrection(), 1e-9);
  }

  @Test
  void warmupIgnored_thenSustainedSlowdown_scalesEverySize() {
    LatencyEstimator e = new LatencyEstimator(16, 0.9, 4, 2);
    e.observe(full, 100, 1000); // warm-up outliers
    e.observe(full, 100, 1000);
    for (int i = 0; i < 3; i++) {
      e.observe(full, 100, 20);
    }
    assertEquals(1, e.correction(), 1e-9, "fewer than minSamples: uncorrected");
    e.observe(full, 1000, 200);
    assertEquals(2, e.correction(), 1e-9);
    assertEquals(100, e.predictMillis(full, 500), 1e-9); // profile 50 ms × 2: input-adaptive
  }

  @Test
  void oneOutlier_doesNotMoveAHighQuantileOfManySamples() {
    LatencyEstimator e = new LatencyEstimator(32, 0.9, 8, 0);
    for (int i = 0; i < 31; i++) {
      e.observe(full, 100, 10);
    }
    e.observe(full, 100, 500);
    assertEquals(1, e.correction(), 1e-9);
  }

  @Test
  void correction_isClamped() {
    LatencyEstimator e = new LatencyEstimator(8, 0.9, 8, 0);
    for (int i = 0; i < 8; i++) {
      e.observe(full, 100, 10_000);
    }
    assertEquals(8, e.correction(), 1e-9);
  }

  @Test
  void window_forgetsOldRuns() {
    LatencyEstimator e = new LatencyEstimator(8, 0.9, 8, 0);
    for (int i = 0; i < 8; i++) {
      e.observe(full, 100, 30);
    }
    for (int i = 0; i < 8; i++) {
      e.observe(full, 100, 10);
    }
    assertEquals(1, e.correction(), 1e-9);
  }

  @Test
  void corrections_areTheQuantilesOfTheLastWindow_throughManyEvictionsAndTies() {
    // the window is kept sorted incrementally: check it against sorting the last runs afresh
    LatencyEstimator e = new LatencyEstimator(16, 0.9, 4, 2);
    java.util.Random random = new java.util.Random(7);
    java.util.List<Double> kept = new java.util.ArrayList<>();
    for (int i = 0; i < 500; i++) {
      double millis = 5 + random.nextInt(12); // few distinct values: many ties to evict
      e.observe(full, 100, millis);
      if (i < 2) {
        continue; // warm-up
      }
      kept.add(millis / 10);
      if (kept.size() > 16) {
        kept.remove(0);
      }
      if (kept.size() >= 4) {
        double[] window = kept.stream().mapToDouble(Double::doubleValue).toArray();
        double p90 = Quantiles.quantile(window, 0.9);
        assertEquals(p90, e.correction(), 1e-12, "run " + i);
        assertEquals(Math.min(p90, Quantiles.quantile(window, 0.5)), e.typicalCorrection(), 1e-12);
      }
    }
  }

  @Test
  void correction_isPooledOverSubnets_soARarelyUsedOneIsNotLeftStale() {
    SubnetProfile small =
        new SubnetProfile(
            "small",
            0.25,
            0.7,
            LatencyCurve.of(List.of(new LatencyPoint(100, 3), new LatencyPoint(1000, 30))));
    LatencyEstimator e = new LatencyEstimator(8, 0.9, 8, 0);
    for (int i = 0; i < 8; i++) {
      e.observe(small, 100, 9); // contention: small runs 3× its profile
    }
    assertEquals(
        30,
        e.predictMillis(full, 100),
        1e-9,
        "full is predicted slower too, not left at its idle profile");
    assertEquals(9, e.predictMillis(small, 100), 1e-9);
  }

  @Test
  void badSettingsAndObservations_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> new LatencyEstimator(0, 0.9, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new LatencyEstimator(8, 1.5, 1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyEstimator.standard().observe(full, 100, Double.NaN));
    assertThrows(
        IllegalArgumentException.class, () -> LatencyEstimator.standard().observe(full, 0, 1));
  }

  @Test
  void typical_isTheMedianCorrection_whilePredictionsKeepTheTail() {
    LatencyEstimator e = new LatencyEstimator(20, 0.95, 10, 0);
    assertEquals(10, e.typical().predictMillis(full, 100), 1e-9, "no runs: the profile");
    for (int i = 0; i < 18; i++) {
      e.observe(full, 100, 12); // typical runs: 1.2× the profile
    }
    e.observe(full, 100, 30); // two slow ones: 3×
    e.observe(full, 100, 30);
    assertEquals(1.2, e.typicalCorrection(), 1e-9);
    assertEquals(12, e.typical().predictMillis(full, 100), 1e-9);
    assertEquals(3, e.correction(), 1e-9);
    assertEquals(30, e.predictMillis(full, 100), 1e-9);
  }

  @Test
  void gapsBetweenRuns_becomeEachRequestsOwnTime_inEveryPrediction() {
    LatencyEstimator e = LatencyEstimator.standard();
    assertEquals(0, e.perRequestMillis(), 1e-9);
    e.observeGap(3, 2); // 1.5 ms per request: the first gap sets it
    assertEquals(1.5, e.perRequestMillis(), 1e-9);
    for (int i = 0; i < 200; i++) {
      e.observeGap(0.5, 1); // the event loop got a core of its own
    }
    assertEquals(0.5, e.perRequestMillis(), 1e-3);
    assertEquals(0.5, e.typical().perRequestMillis(), 1e-3, "the typical view shares it");
    assertThrows(IllegalArgumentException.class, () -> e.observeGap(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> e.observeGap(1, 0));
  }
}
