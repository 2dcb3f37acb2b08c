package io.flexserve.loadtest.report;

import static io.flexserve.loadtest.testing.Records.ok;
import static io.flexserve.loadtest.testing.Records.refused;
import static io.flexserve.loadtest.testing.Records.status;
import static io.flexserve.loadtest.testing.Records.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final OptionalDouble TARGET_20_MS = OptionalDouble.of(20);

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
        Report report = Report.of(mixedRun(), TARGET_20_MS);

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
        Report report = Report.of(mixedRun(), TARGET_20_MS);

        // good: latencies 10, 15, 20 (≤ target counts) and 5; late 25 and 90, two 429s, a 503 and a timeout fail.
        assertEquals(4, report.good());
        assertEquals(0.4, report.sloAttainment(), 1e-12);
    }

    @Test
    void goodputAndThroughput_arePerSecondOfTheRun() {
        Report report = Report.of(mixedRun(), TARGET_20_MS);

        // The run lasts until the last completion: the timeout at 900 + 100 ms.
        assertEquals(1.0, report.durationSeconds(), 1e-9);
        assertEquals(4.0, report.goodputPerSecond(), 1e-9);
        assertEquals(6.0, report.throughputPerSecond(), 1e-9);
    }

    @Test
    void noTarget_everyOkIsGood() {
        Report report = Report.of(mixedRun(), OptionalDouble.empty());

        assertEquals(6, report.good());
        assertEquals(0.6, report.sloAttainment(), 1e-12);
        assertEquals(report.throughputPerSecond(), report.goodputPerSecond(), 1e-12);
    }

    @Test
    void sloAttainment_judgedByClientLatencyNotServerVerdict() {
        List<RequestRecord> records = List.of(
                ok(0, 0, 30, "a", DeadlineVerdict.MET),
                ok(1, 10, 10, "a", DeadlineVerdict.MISSED));

        Report report = Report.of(records, TARGET_20_MS);

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

        LatencySummary latency = Report.of(records, OptionalDouble.empty()).latency();

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
        LatencySummary latency = Report.of(mixedRun(), TARGET_20_MS).latency();

        assertEquals(6, latency.count());
        assertEquals(90, latency.maxMillis(), 0.1);
        assertEquals(15, latency.p50Millis(), 0.02);
    }

    @Test
    void latency_measuredFromIntendedTime_serviceFromActualSend() {
        // Sent 40 ms late: 50 ms end to end, 10 ms of service.
        RequestRecord late = new RequestRecord(0, 0, Outcome.OK, 200, 50_000_000, 10_000_000, "a",
                DeadlineVerdict.NOT_REPORTED, Double.NaN, Double.NaN, "");

        Report report = Report.of(List.of(late), TARGET_20_MS);

        assertEquals(50, report.latency().p50Millis(), 0.05);
        assertEquals(10, report.service().p50Millis(), 0.01);
        assertEquals(40, report.maxSendLagMillis(), 1e-9);
        assertEquals(0, report.good());
    }

    @Test
    void subnetShare_countsOkResponsesBySubnet() {
        Report report = Report.of(mixedRun(), TARGET_20_MS);

        assertEquals(Map.of("w384-d6", 3L, "w192-d3", 3L), report.subnetCounts());
        assertEquals(0.5, report.subnetShare("w384-d6"), 1e-12);
        assertEquals(0.0, report.subnetShare("unknown"), 1e-12);
    }

    @Test
    void emptyRun_hasNoAttainmentAndZeroRates() {
        Report report = Report.of(List.of(), TARGET_20_MS);

        assertEquals(0, report.sent());
        assertTrue(Double.isNaN(report.sloAttainment()));
        assertEquals(0, report.throughputPerSecond());
        assertEquals(0, report.latency().count());
        assertTrue(Double.isNaN(report.latency().p99Millis()));
    }

    @Test
    void transportErrors_areCountedByExceptionClass() {
        Report report = Report.of(List.of(refused(0, 0), refused(1, 10), ok(2, 20, 1, "a")), OptionalDouble.empty());

        assertEquals(2, report.transportErrors());
        assertEquals(Map.of("ConnectException", 2L), report.errorKinds());
        assertEquals(1.0 / 3, report.sloAttainment(), 1e-12);
    }

    @Test
    void of_nonPositiveTarget_fails() {
        assertThrows(IllegalArgumentException.class, () -> Report.of(mixedRun(), OptionalDouble.of(0)));
    }

    @Test
    void requestRecord_statusNotMatchingOutcome_fails() {
        assertThrows(IllegalArgumentException.class, () -> new RequestRecord(0, 0, Outcome.OK, 429, 1, 1, "",
                DeadlineVerdict.NOT_REPORTED, Double.NaN, Double.NaN, ""));
        assertThrows(IllegalArgumentException.class, () -> new RequestRecord(0, 0, Outcome.TIMEOUT, 200, 1, 1, "",
                DeadlineVerdict.NOT_REPORTED, Double.NaN, Double.NaN, ""));
        assertThrows(IllegalArgumentException.class, () -> RequestRecord.response(0, 0, 200, 1, 2));
    }
}
