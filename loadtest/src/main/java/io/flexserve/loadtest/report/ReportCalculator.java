package io.flexserve.loadtest.report;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** The arithmetic behind {@link Report#of}: one pass over the records. */
final class ReportCalculator {
    private ReportCalculator() {
    }

    static Report compute(List<RequestRecord> records, OptionalDouble targetMillis) {
        if (targetMillis.isPresent() && !(targetMillis.getAsDouble() > 0)) {
            throw new IllegalArgumentException("latency target must be > 0 ms, got " + targetMillis.getAsDouble());
        }
        Map<Integer, Long> statusCounts = new TreeMap<>();
        Map<String, Long> subnetCounts = new TreeMap<>();
        Map<String, Long> errorKinds = new TreeMap<>();
        long[] byOutcome = new long[Outcome.values().length];
        long good = 0;
        long serverVerdicts = 0;
        long serverMet = 0;
        long lastCompletionNanos = 0;
        long maxSendLagNanos = 0;
        Histogram latency = LatencySummary.newMicrosHistogram();
        Histogram service = LatencySummary.newMicrosHistogram();

        for (RequestRecord r : records) {
            byOutcome[r.outcome().ordinal()]++;
            lastCompletionNanos = Math.max(lastCompletionNanos, r.completedNanos());
            maxSendLagNanos = Math.max(maxSendLagNanos, r.sendLagNanos());
            if (r.outcome().hasStatus()) {
                statusCounts.merge(r.status(), 1L, Long::sum);
            } else {
                int colon = r.error().indexOf(':');
                String kind = colon < 0 ? r.error() : r.error().substring(0, colon);
                errorKinds.merge(kind.isEmpty() ? r.outcome().name() : kind, 1L, Long::sum);
            }
            if (r.outcome() != Outcome.OK) {
                continue;
            }
            LatencySummary.recordNanos(latency, r.latencyNanos());
            LatencySummary.recordNanos(service, r.serviceNanos());
            if (targetMillis.isEmpty() || r.latencyMillis() <= targetMillis.getAsDouble()) {
                good++;
            }
            if (r.deadlineVerdict() != DeadlineVerdict.NOT_REPORTED) {
                serverVerdicts++;
                if (r.deadlineVerdict() == DeadlineVerdict.MET) {
                    serverMet++;
                }
            }
            if (!r.subnet().isEmpty()) {
                subnetCounts.merge(r.subnet(), 1L, Long::sum);
            }
        }

        long sent = records.size();
        long ok = byOutcome[Outcome.OK.ordinal()];
        double seconds = lastCompletionNanos / 1e9;
        return new Report(sent, new TreeMap<>(statusCounts), ok, byOutcome[Outcome.REJECTED.ordinal()],
                byOutcome[Outcome.HTTP_ERROR.ordinal()], byOutcome[Outcome.TIMEOUT.ordinal()],
                byOutcome[Outcome.TRANSPORT_ERROR.ordinal()], targetMillis, good, serverVerdicts, serverMet, seconds,
                perSecond(ok, seconds), perSecond(good, seconds), sent == 0 ? Double.NaN : good / (double) sent,
                LatencySummary.of(latency), LatencySummary.of(service), maxSendLagNanos / 1e6,
                new TreeMap<>(subnetCounts), new TreeMap<>(errorKinds));
    }

    private static double perSecond(long count, double seconds) {
        return seconds > 0 ? count / seconds : 0;
    }
}
