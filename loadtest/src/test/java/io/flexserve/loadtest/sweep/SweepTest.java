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
    List<RequestRecord> records = new ArrayList<>();
    int shed = (int) Math.max(0, Math.min(100, Math.round(rate - 60)));
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

  @Test
  void toJson_listsProbesAndResult() throws Exception {
    SweepResult result =
        Sweep.run(
            new RateSearch(100, 200, 2, 0.05, 3),
            0.99,
            SweepTest::probe,
            Duration.ZERO,
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
