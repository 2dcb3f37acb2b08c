package io.flexserve.loadtest.report;

import static io.flexserve.loadtest.testing.Records.ok;
import static io.flexserve.loadtest.testing.Records.refused;
import static io.flexserve.loadtest.testing.Records.status;
import static io.flexserve.loadtest.testing.Records.timeout;
import static io.flexserve.loadtest.testing.Records.withTarget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final double TARGET_20_MS = 20;

  // Ten requests over one second: 6 × 200 (4 within 20 ms, 2 late), 2 × 429, 1 × 503, 1 timeout.
  private static List<RequestRecord> mixedRun() {
    return List.of(
        ok(0, 0, 10, "w384-d6"),
        ok(1, 100, 15, "w384-d6"),
        ok(2, 200, 20, "w192-d3"),
        ok(3, 300, 5, "w192-d3"),
        ok(4, 400, 25, "w384-d6"),
        ok(5, 500, 90, "w192-d3"),
        status(6, 600, 1, 429),
        status(7, 700, 1, 429),
        status(8, 800, 3, 503),
        timeout(9, 900, 100));
  }

  @Test
  void counts_byOutcomeAndStatus() {
    Report report = Report.of(withTarget(mixedRun(), TARGET_20_MS));

    assertEquals(10, report.sent());
    assertEquals(6, report.ok());
    assertEquals(2, report.rejected());
    assertEquals(1, report.httpErrors());
    assertEquals(1, report.timeouts());
    assertEquals(0, report.transportErrors());
    assertEquals(2, report.errors());
    assertEquals(Map.of(200, 6L, 429, 2L, 503, 1L), report.statusCounts());
    assertEquals(Map.of("HttpTimeoutException", 1L), report.errorKinds());
  }

  @Test
  void sloAttainment_countsRejectionsMissesAndErrorsAsFailures() {
    Report report = Report.of(withTarget(mixedRun(), TARGET_20_MS));

    // good: latencies 10, 15, 20 (≤ target counts) and 5; late 25 and 90, two 429s, a 503 and a
    // timeout fail.
    assertEquals(4, report.good());
    assertEquals(0.4, report.sloAttainment(), 1e-12);
  }

  @Test
  void goodputAndThroughput_arePerSecondOfTheRun() {
    Report report = Report.of(withTarget(mixedRun(), TARGET_20_MS));

    // The run lasts until the last completion: the timeout at 900 + 100 ms.
    assertEquals(1.0, report.durationSeconds(), 1e-9);
    assertEquals(4.0, report.goodputPerSecond(), 1e-9);
    assertEquals(6.0, report.throughputPerSecond(), 1e-9);
  }

  @Test
  void noTarget_everyOkIsGood() {
    Report report = Report.of(mixedRun());

    assertEquals(6, report.good());
    assertEquals(0.6, report.sloAttainment(), 1e-12);
    assertEquals(report.throughputPerSecond(), report.goodputPerSecond(), 1e-12);
  }

  @Test
  void sloAttainment_judgedByClientLatencyNotServerVerdict() {
    List<RequestRecord> records =
        List.of(ok(0, 0, 30, "a", DeadlineVerdict.MET), ok(1, 10, 10, "a", DeadlineVerdict.MISSED));

    Report report = Report.of(withTarget(records, TARGET_20_MS));

    assertEquals(1, report.good());
    assertEquals(2, report.serverVerdicts());
    assertEquals(1, report.serverMet());
  }

  @Test
  void percentiles_ofOneToHundredMillis_matchWithinHistogramPrecision() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(ok(i, i * 10.0, i + 1, "a"));
    }

    LatencySummary latency = Report.of(records).latency();

    assertEquals(100, latency.count());
    assertEquals(50, latency.p50Millis(), 0.05);
    assertEquals(90, latency.p90Millis(), 0.1);
    assertEquals(95, latency.p95Millis(), 0.1);
    assertEquals(99, latency.p99Millis(), 0.1);
    assertEquals(100, latency.maxMillis(), 0.1);
    assertEquals(50.5, latency.meanMillis(), 0.1);
  }

  @Test
  void percentiles_onlyCountOkResponses() {
    LatencySummary latency = Report.of(withTarget(mixedRun(), TARGET_20_MS)).latency();

    assertEquals(6, latency.count());
    assertEquals(90, latency.maxMillis(), 0.1);
    assertEquals(15, latency.p50Millis(), 0.02);
  }

  @Test
  void latency_measuredFromIntendedTime_serviceFromActualSend() {
    // Sent 40 ms late: 50 ms end to end, 10 ms of service.
    RequestRecord late =
        new RequestRecord(
            0,
            0,
            20,
            Outcome.OK,
            200,
            50_000_000,
            10_000_000,
            "a",
            DeadlineVerdict.NOT_REPORTED,
            Double.NaN,
            Double.NaN,
            "");

    Report report = Report.of(List.of(late));

    assertEquals(50, report.latency().p50Millis(), 0.05);
    assertEquals(10, report.service().p50Millis(), 0.01);
    assertEquals(40, report.maxSendLagMillis(), 1e-9);
    assertEquals(0, report.good());
  }

  @Test
  void subnetShare_countsOkResponsesBySubnet() {
    Report report = Report.of(withTarget(mixedRun(), TARGET_20_MS));

    assertEquals(Map.of("w384-d6", 3L, "w192-d3", 3L), report.subnetCounts());
    assertEquals(0.5, report.subnetShare("w384-d6"), 1e-12);
    assertEquals(0.0, report.subnetShare("unknown"), 1e-12);
  }

  @Test
  void emptyRun_hasNoAttainmentAndZeroRates() {
    Report report = Report.of(List.of());

    assertEquals(0, report.sent());
    assertTrue(Double.isNaN(report.sloAttainment()));
    assertEquals(0, report.throughputPerSecond());
    assertEquals(0, report.latency().count());
    assertTrue(Double.isNaN(report.latency().p99Millis()));
  }

  @Test
  void transportErrors_areCountedByExceptionClass() {
    Report report = Report.of(List.of(refused(0, 0), refused(1, 10), ok(2, 20, 1, "a")));

    assertEquals(2, report.transportErrors());
    assertEquals(Map.of("ConnectException", 2L), report.errorKinds());
    assertEquals(1.0 / 3, report.sloAttainment(), 1e-12);
  }

  @Test
  void requestRecord_nonPositiveTarget_fails() {
    assertThrows(IllegalArgumentException.class, () -> withTarget(ok(0, 0, 1, "a"), 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> withTarget(ok(0, 0, 1, "a"), Double.POSITIVE_INFINITY));
  }

  @Test
  void requestRecord_statusNotMatchingOutcome_fails() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RequestRecord(
                0,
                0,
                Double.NaN,
                Outcome.OK,
                429,
                1,
                1,
                "",
                DeadlineVerdict.NOT_REPORTED,
                Double.NaN,
                Double.NaN,
                ""));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RequestRecord(
                0,
                0,
                Double.NaN,
                Outcome.TIMEOUT,
                200,
                1,
                1,
                "",
                DeadlineVerdict.NOT_REPORTED,
                Double.NaN,
                Double.NaN,
                ""));
    assertThrows(IllegalArgumentException.class, () -> RequestRecord.response(0, 0, 200, 1, 2));
  }

  @Test
  void good_judgedAgainstEachRequestsOwnTarget() {
    List<RequestRecord> records =
        List.of(
            withTarget(ok(0, 0, 30, "a"), 10),
            withTarget(ok(1, 10, 30, "a"), 50),
            ok(2, 20, 500, "a"));

    Report report = Report.of(records);

    assertEquals(2, report.good(), "30 > 10 misses, 30 <= 50 meets, no target always meets");
    assertEquals(2, report.targeted());
    assertEquals(10, report.targetMinMillis());
    assertEquals(50, report.targetMaxMillis());
    assertFalse(report.singleTarget());
  }

  @Test
  void targets_noneCarried_areNaNAndNotSingle() {
    Report report = Report.of(mixedRun());

    assertEquals(0, report.targeted());
    assertTrue(Double.isNaN(report.targetMinMillis()));
    assertFalse(report.singleTarget());
    assertTrue(Report.of(withTarget(mixedRun(), 20)).singleTarget());
  }

  @Test
  void windows_bucketByIntendedSendTime_andKeepEmptyWindows() {
    // intended at 0.1 s, 0.5 s (completes at 1.7 s) and 2.5 s: three windows, the middle one empty.
    List<RequestRecord> records =
        List.of(ok(0, 100, 10, "a"), status(1, 500, 1200, 429), ok(2, 2500, 30, "b"));

    List<Window> windows = Report.of(records).windows();

    assertEquals(3, windows.size());
    assertEquals(List.of(0.0, 1.0, 2.0), windows.stream().map(Window::startSeconds).toList());
    assertEquals(List.of(2L, 0L, 1L), windows.stream().map(Window::sent).toList());
    assertEquals(1, windows.get(0).rejected());
    assertEquals(0.5, windows.get(0).attainment(), 1e-12);
    assertTrue(Double.isNaN(windows.get(1).attainment()));
    assertTrue(Double.isNaN(windows.get(1).p99Millis()));
    assertEquals(Map.of("b", 1L), windows.get(2).subnetCounts());
    assertEquals(1.0, windows.get(2).throughputPerSecond(), 1e-12);
  }

  @Test
  void windows_countsAddUpToTheTotals() {
    Report report = Report.of(withTarget(mixedRun(), TARGET_20_MS));

    assertEquals(report.sent(), report.windows().stream().mapToLong(Window::sent).sum());
    assertEquals(report.ok(), report.windows().stream().mapToLong(Window::ok).sum());
    assertEquals(report.good(), report.windows().stream().mapToLong(Window::good).sum());
    assertEquals(report.rejected(), report.windows().stream().mapToLong(Window::rejected).sum());
    assertEquals(report.errors(), report.windows().stream().mapToLong(Window::errors).sum());
  }

  @Test
  void windows_percentilesAreExactNearestRank() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(ok(i, 5.0 * i, 100 - i, "a"));
    }

    Window w = Report.of(records).windows().get(0);

    assertEquals(50.0, w.p50Millis(), 1e-9);
    assertEquals(90.0, w.p90Millis(), 1e-9);
    assertEquals(99.0, w.p99Millis(), 1e-9);
  }

  @Test
  void meanQuality_weightsEachSubnetByItsResponses_ignoringUnknownOnes() {
    List<RequestRecord> records =
        List.of(
            ok(0, 0, 1, "full"),
            ok(1, 1, 1, "full"),
            ok(2, 2, 1, "full"),
            ok(3, 3, 1, "small"),
            ok(4, 4, 1, "unlisted"));

    Report report = Report.of(records, Map.of("full", 1.0, "small", 0.5));

    assertEquals(0.875, report.meanQuality(), 1e-12);
    assertEquals(0.875, report.windows().get(0).meanQuality(report.subnetQuality()), 1e-12);
    assertTrue(Double.isNaN(Report.of(records).meanQuality()));
  }

  @Test
  void subnetOrder_bestQualityFirst_unknownLastByName() {
    List<RequestRecord> records =
        List.of(ok(0, 0, 1, "z"), ok(1, 1, 1, "small"), ok(2, 2, 1, "full"), ok(3, 3, 1, "a"));

    assertEquals(
        List.of("full", "small", "a", "z"),
        Report.of(records, Map.of("full", 1.0, "small", 0.5)).subnetOrder());
  }

  @Test
  void of_twoModelsWithSubnetsOfTheSameName_keepsThemApart_andQualityPerModel() {
    List<RequestRecord> records =
        List.of(
            withTarget(ok(0, 0, 10, "full"), 20).withModel("all-minilm-l6-v2"),
            withTarget(ok(1, 100, 10, "small"), 20).withModel("all-minilm-l6-v2"),
            withTarget(ok(2, 200, 50, "full"), 20).withModel("tinystories"),
            withTarget(status(3, 300, 1, 429), 20).withModel("tinystories"));

    Report r =
        Report.of(
            records,
            Map.of(
                "all-minilm-l6-v2/full", 1.0,
                "all-minilm-l6-v2/small", 0.5,
                "tinystories/full", 1.0));

    assertEquals(
        Map.of("all-minilm-l6-v2/full", 1L, "all-minilm-l6-v2/small", 1L, "tinystories/full", 1L),
        r.subnetCounts(),
        "encoder full and LLM full are two rows");
    assertEquals(Map.of("all-minilm-l6-v2", 0.75, "tinystories", 1.0), r.meanQualityByModel());
    assertTrue(Double.isNaN(r.meanQuality()), "unrelated measures are not averaged");
    assertEquals(List.of("all-minilm-l6-v2", "tinystories"), r.models());
    Window w = r.windows().get(0);
    assertEquals(1.0, w.modelAttainment("all-minilm-l6-v2"));
    assertEquals(0.0, w.modelAttainment("tinystories"), "one late 2xx and one 429");
    assertEquals(0.0, w.subnetAttainment("tinystories/full"), "its one answer was late");
    assertEquals(1.0, w.subnetAttainment("all-minilm-l6-v2/small"));
    assertEquals("tinystories", Report.modelOfSubnet("tinystories/full", r.models()));
    assertEquals("", Report.modelOfSubnet("a/b", r.models()), "not a known model");
  }
}
