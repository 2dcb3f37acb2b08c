package io.flexserve.loadtest.report;

import io.flexserve.loadtest.json.JsonWriter;
import java.util.Map;

/**
 * Renders a {@link Report} as one JSON object for machines. Times are milliseconds unless a name says otherwise,
 * rates are per second, and values that do not exist (percentiles of an empty set, attainment of an empty run, no
 * target) are {@code null}.
 */
public final class JsonReport {
    private JsonReport() {
    }

    /**
     * Returns the JSON document.
     *
     * @param report what to render
     * @param settings run settings, written as the string members of {@code "settings"} in iteration order
     */
    public static String render(Report report, Map<String, String> settings) {
        JsonWriter json = new JsonWriter().beginObject();

        json.name("settings").beginObject();
        settings.forEach((k, v) -> json.name(k).value(v));
        json.endObject();

        json.name("counts").beginObject()
                .name("sent").value(report.sent())
                .name("ok").value(report.ok())
                .name("rejected429").value(report.rejected())
                .name("otherStatus").value(report.httpErrors())
                .name("timeouts").value(report.timeouts())
                .name("transportErrors").value(report.transportErrors())
                .name("good").value(report.good());
        json.name("byStatus").beginObject();
        report.statusCounts().forEach((status, n) -> json.name(Integer.toString(status)).value(n));
        json.endObject();
        json.name("errorKinds").beginObject();
        report.errorKinds().forEach((kind, n) -> json.name(kind).value(n));
        json.endObject().endObject();

        json.name("targetMs");
        if (report.targetMillis().isPresent()) {
            json.value(report.targetMillis().getAsDouble());
        } else {
            json.nullValue();
        }
        json.name("durationSeconds").value(report.durationSeconds())
                .name("throughputPerSecond").value(report.throughputPerSecond())
                .name("goodputPerSecond").value(report.goodputPerSecond())
                .name("sloAttainment").value(report.sloAttainment())
                .name("maxSendLagMs").value(report.maxSendLagMillis());
        json.name("serverDeadline").beginObject()
                .name("reported").value(report.serverVerdicts())
                .name("met").value(report.serverMet())
                .endObject();

        json.name("latencyMs").beginObject();
        latency(json.name("endToEnd"), report.latency());
        latency(json.name("service"), report.service());
        json.endObject();

        json.name("subnets").beginObject();
        report.subnetCounts().forEach((subnet, n) -> json.name(subnet).beginObject()
                .name("count").value(n)
                .name("share").value(report.subnetShare(subnet))
                .endObject());
        json.endObject();

        return json.endObject().toJson();
    }

    private static void latency(JsonWriter json, LatencySummary s) {
        json.beginObject()
                .name("count").value(s.count())
                .name("p50").value(s.p50Millis())
                .name("p90").value(s.p90Millis())
                .name("p95").value(s.p95Millis())
                .name("p99").value(s.p99Millis())
                .name("max").value(s.maxMillis())
                .name("mean").value(s.meanMillis())
                .endObject();
    }
}
