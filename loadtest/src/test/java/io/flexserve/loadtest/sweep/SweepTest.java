package io.flexserve.loadtest.sweep;

import static io.flexserve.loadtest.testing.Records.ok;
import static io.flexserve.loadtest.testing.Records.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepTest {

  // A fake server: 100 requests per probe, of which round(rate - 60) (at least 0) are shed with
  // 429.
  private static Report probe(double rate) {
    return shedding((int) Math.max(0, Math.min(100, Math.round(rate - 60))));
  }

  /** 100 requests, the first {@code shed} refused with 429. */
  private static Report shedding(int shed) {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(i < shed ? status(i, i, 1, 429) : ok(i, i, 1, "full"));
    }
    return Report.of(records);
  }

  @Test
  void run_findsTheHighestRateMeetingTheSlo_andReportsEveryProbe() throws Exception {
    List<String> lines = new ArrayList<>();

    SweepResult result =
        Sweep.run(
            new RateSearch(10, 200, 2, 0.02, 20),
            0.99,
            SweepTest::probe,
            Duration.ZERO,
            false,
            lines::add);

    double best = result.highestPassing().getAsDouble();
    assertTrue(best >= 60 && best < 61.5, "best " + best);
    assertEquals(result.probes().size(), lines.size());
    assertTrue(lines.get(0).contains("pass"), lines.get(0));
    assertTrue(result.probes().stream().anyMatch(p -> !p.passed()));
    assertTrue(
        result.summary().startsWith("highest rate meeting SLO attainment >= 99.00 %: 6"),
        result.summary());
  }

  /**
   * The fake server above, except that the first probe at 40 req/s meets a stall: 2 of its 100
   * requests miss.
   */
  private static Sweep.ProbeRunner stallOnceAt40() {
    boolean[] stalled = {false};
    return rate -> {
      if (rate == 40 && !stalled[0]) {
        stalled[0] = true;
        return shedding(2);
      }
      return probe(rate);
    };
  }

  @Test
  void oneStall_endsTheSearchLow_withoutRechecks() throws Exception {
    SweepResult result =
        Sweep.run(
            new RateSearch(20, 200, 2, 0.02, 20),
            0.99,
            stallOnceAt40(),
            Duration.ZERO,
            false,
            line -> {});

    // it bisects between 20 and 40 and never sees that 60 req/s passes
    assertTrue(result.highestPassing().getAsDouble() < 40, result.summary());
    assertEquals(40, result.lowestFailing().getAsDouble(), 1e-9);
  }

  @Test
  void recheck_judgesAFailedRateOnBothProbes_andTheSearchGoesOn() throws Exception {
    List<String> lines = new ArrayList<>();

    SweepResult result =
        Sweep.run(
            new RateSearch(20, 200, 2, 0.02, 20),
            0.99,
            stallOnceAt40(),
            Duration.ZERO,
            true,
            lines::add);

    // 40 req/s: 98 % then 100 %, 99 % over both: it passes, and the search finds the real edge
    double best = result.highestPassing().getAsDouble();
    assertTrue(best >= 60 && best < 61.5, "best " + best);
    Probe recheck = result.probes().get(2);
    assertEquals(40, recheck.ratePerSecond(), 1e-9);
    assertTrue(recheck.recheck() && recheck.passed());
    assertTrue(!result.probes().get(1).passed() && !result.probes().get(1).recheck());
    assertTrue(lines.get(2).endsWith("pass  (recheck: 99.00 % over both probes)"), lines.get(2));
    // every rate above the edge fails twice: rechecked, and still failed
    for (Probe p : result.probes()) {
      if (p.ratePerSecond() > 61.5) {
        assertTrue(!p.passed(), "passed above the edge: " + p.ratePerSecond());
      }
    }
    assertTrue(result.probes().stream().anyMatch(p -> p.recheck() && !p.passed()));
  }

  @Test
  void recheck_aRateThatMissesTwice_fails_evenIfTheSecondProbePasses() throws Exception {
    // 97 % then 100 %: 98.5 % over both, below 99 %
    Report[] reports = {shedding(3), shedding(0)};
    int[] calls = {0};
    SweepResult result =
        Sweep.run(
            new RateSearch(50, 50, 2, 0.02, 5),
            0.99,
            rate -> reports[calls[0]++],
            Duration.ZERO,
            true,
            line -> {});

    assertEquals(2, result.probes().size());
    assertTrue(result.highestPassing().isEmpty());
    assertTrue(result.probes().get(1).report().sloAttainment() >= 0.99);
    assertTrue(!result.probes().get(1).passed());
  }

  @Test
  void toJson_listsProbesAndResult() throws Exception {
    SweepResult result =
        Sweep.run(
            new RateSearch(100, 200, 2, 0.05, 3),
            0.99,
            SweepTest::probe,
            Duration.ZERO,
            false,
            line -> {});

    String json = result.toJson(Map.of("url", "http://127.0.0.1:1"));

    assertTrue(
        json.contains(
            "\"probes\":[{\"ratePerSecond\":100.0,\"sent\":100,\"ok\":60,\"rejected429\":40,"),
        json);
    assertTrue(
        json.endsWith("\"highestPassingRatePerSecond\":null,\"lowestFailingRatePerSecond\":100.0}"),
        json);
    assertTrue(result.summary().startsWith("no rate met"), result.summary());
  }
}
