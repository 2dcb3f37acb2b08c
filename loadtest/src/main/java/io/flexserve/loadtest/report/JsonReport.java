package io.flexserve.loadtest.report;

import io.flexserve.loadtest.json.JsonParser;
import io.flexserve.loadtest.json.JsonValue;
import io.flexserve.loadtest.json.JsonWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a {@link Report} as one JSON object for machines, and reads it back for {@code compare}.
 * Times are milliseconds unless a name says otherwise, rates are per second, and values that do not
 * exist (percentiles of an empty set, attainment of an empty run, no target, unknown quality) are
 * {@code null}. The document starts with {@code "format": "flexserve-loadtest-report"} and {@code
 * "version"}; {@link #parse} accepts only this version.
 */
public final class JsonReport {
  /** Value of the document's {@code "format"} member. */
  public static final String FORMAT = "flexserve-loadtest-report";

  /**
   * Value of the document's {@code "version"} member; 2 added per-request targets, quality and
   * windows.
   */
  public static final int VERSION = 2;

  private JsonReport() {}

  /**
   * Returns the JSON document.
   *
   * @param report what to render
   * @param settings run settings, written as the string members of {@code "settings"} in iteration
   *     order
   */
  public static String render(Report report, Map<String, String> settings) {
    JsonWriter json = new JsonWriter().beginObject();
    json.name("format").value(FORMAT).name("version").value(VERSION);

    json.name("settings").beginObject();
    settings.forEach((k, v) -> json.name(k).value(v));
    json.endObject();

    json.name("counts")
        .beginObject()
        .name("sent")
        .value(report.sent())
        .name("ok")
        .value(report.ok())
        .name("rejected429")
        .value(report.rejected())
        .name("otherStatus")
        .value(report.httpErrors())
        .name("timeouts")
        .value(report.timeouts())
        .name("transportErrors")
        .value(report.transportErrors())
        .name("good")
        .value(report.good())
        .name("targeted")
        .value(report.targeted());
    json.name("byStatus").beginObject();
    report.statusCounts().forEach((status, n) -> json.name(Integer.toString(status)).value(n));
    json.endObject();
    json.name("errorKinds").beginObject();
    report.errorKinds().forEach((kind, n) -> json.name(kind).value(n));
    json.endObject().endObject();

    json.name("targetMs")
        .beginObject()
        .name("min")
        .value(report.targetMinMillis())
        .name("max")
        .value(report.targetMaxMillis())
        .endObject();
    json.name("durationSeconds")
        .value(report.durationSeconds())
        .name("throughputPerSecond")
        .value(report.throughputPerSecond())
        .name("goodputPerSecond")
        .value(report.goodputPerSecond())
        .name("sloAttainment")
        .value(report.sloAttainment())
        .name("meanQuality")
        .value(report.meanQuality())
        .name("maxSendLagMs")
        .value(report.maxSendLagMillis());
    json.name("serverDeadline")
        .beginObject()
        .name("reported")
        .value(report.serverVerdicts())
        .name("met")
        .value(report.serverMet())
        .endObject();

    json.name("latencyMs").beginObject();
    latency(json.name("endToEnd"), report.latency());
    latency(json.name("service"), report.service());
    json.endObject();

    json.name("subnets").beginObject();
    report
        .subnetCounts()
        .forEach(
            (subnet, n) ->
                json.name(subnet)
                    .beginObject()
                    .name("count")
                    .value(n)
                    .name("share")
                    .value(report.subnetShare(subnet))
                    .endObject());
    json.endObject();
    json.name("subnetQuality").beginObject();
    report.subnetQuality().forEach((subnet, q) -> json.name(subnet).value(q));
    json.endObject();

    json.name("endpoints").beginObject();
    report
        .endpoints()
        .forEach(
            (kind, e) -> {
              json.name(kind)
                  .beginObject()
                  .name("sent")
                  .value(e.sent())
                  .name("ok")
                  .value(e.ok())
                  .name("rejected429")
                  .value(e.rejected())
                  .name("errors")
                  .value(e.errors())
                  .name("good")
                  .value(e.good())
                  .name("tokens")
                  .value(e.tokens())
                  .name("tokensPerSecond")
                  .value(e.tokensPerSecond(report.durationSeconds()));
              json.name("serverDeadline")
                  .beginObject()
                  .name("reported")
                  .value(e.serverVerdicts())
                  .name("met")
                  .value(e.serverMet())
                  .endObject();
              latency(json.name("latencyMs"), e.latency());
              latency(json.name("ttftMs"), e.ttft());
              latency(json.name("interTokenMs"), e.interToken());
              json.endObject();
            });
    json.endObject();

    json.name("windowSeconds").value(Report.WINDOW_SECONDS);
    json.name("windows").beginArray();
    for (Window w : report.windows()) {
      json.beginObject()
          .name("start")
          .value(w.startSeconds())
          .name("sent")
          .value(w.sent())
          .name("ok")
          .value(w.ok())
          .name("good")
          .value(w.good())
          .name("rejected")
          .value(w.rejected())
          .name("errors")
          .value(w.errors())
          .name("p50")
          .value(w.p50Millis())
          .name("p90")
          .value(w.p90Millis())
          .name("p99")
          .value(w.p99Millis());
      json.name("subnets").beginObject();
      w.subnetCounts().forEach((subnet, n) -> json.name(subnet).value(n));
      json.endObject().endObject();
    }
    json.endArray();

    return json.endObject().toJson();
  }

  /**
   * Reads a document written by {@link #render}.
   *
   * @throws IllegalArgumentException if the text is not JSON, not a report of this {@link
   *     #VERSION}, or its values are inconsistent; the message names the member
   */
  public static ReportDocument parse(String text) {
    try {
      return read(text);
    } catch (ClassCastException | NumberFormatException e) {
      throw new IllegalArgumentException("malformed report: " + e.getMessage(), e);
    }
  }

  private static ReportDocument read(String text) {
    if (!(JsonParser.parse(text) instanceof JsonValue.Obj root)) {
      throw new IllegalArgumentException("not a JSON object");
    }
    if (!root.find("format").equals(java.util.Optional.of(new JsonValue.Str(FORMAT)))) {
      throw new IllegalArgumentException(
          "not a flexserve-loadtest report (no \"format\": \"" + FORMAT + "\")");
    }
    if (root.integer("version") != VERSION) {
      throw new IllegalArgumentException(
          "report version "
              + root.integer("version")
              + " is not supported; "
              + "this load tester reads version "
              + VERSION
              + " (re-run the load test to get one)");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    JsonValue.Obj settingsObject = root.object("settings");
    settingsObject.members().keySet().forEach(k -> settings.put(k, settingsObject.string(k)));

    JsonValue.Obj counts = root.object("counts");
    Map<Integer, Long> byStatus = new TreeMap<>();
    longs(counts.object("byStatus")).forEach((k, n) -> byStatus.put(Integer.parseInt(k), n));
    Map<String, Long> errorKinds = longs(counts.object("errorKinds"));
    Map<String, Long> subnetCounts = new TreeMap<>();
    JsonValue.Obj subnets = root.object("subnets");
    subnets
        .members()
        .keySet()
        .forEach(k -> subnetCounts.put(k, subnets.object(k).integer("count")));
    Map<String, Double> quality = new TreeMap<>();
    JsonValue.Obj qualityObject = root.object("subnetQuality");
    qualityObject.members().keySet().forEach(k -> quality.put(k, qualityObject.number(k)));
    JsonValue.Obj latency = root.object("latencyMs");
    JsonValue.Obj targets = root.object("targetMs");
    JsonValue.Obj server = root.object("serverDeadline");

    double windowSeconds = root.number("windowSeconds");
    List<Window> windows = new ArrayList<>();
    for (JsonValue v : root.array("windows").elements()) {
      JsonValue.Obj w = (JsonValue.Obj) v;
      windows.add(
          new Window(
              w.number("start"),
              windowSeconds,
              w.integer("sent"),
              w.integer("ok"),
              w.integer("good"),
              w.integer("rejected"),
              w.integer("errors"),
              w.number("p50"),
              w.number("p90"),
              w.number("p99"),
              new TreeMap<>(longs(w.object("subnets")))));
    }
    Report report =
        new Report(
            counts.integer("sent"),
            new TreeMap<>(byStatus),
            counts.integer("ok"),
            counts.integer("rejected429"),
            counts.integer("otherStatus"),
            counts.integer("timeouts"),
            counts.integer("transportErrors"),
            counts.integer("targeted"),
            targets.number("min"),
            targets.number("max"),
            counts.integer("good"),
            server.integer("reported"),
            server.integer("met"),
            root.number("durationSeconds"),
            root.number("throughputPerSecond"),
            root.number("goodputPerSecond"),
            root.number("sloAttainment"),
            latency(latency.object("endToEnd")),
            latency(latency.object("service")),
            root.number("maxSendLagMs"),
            new TreeMap<>(subnetCounts),
            new TreeMap<>(errorKinds),
            new TreeMap<>(quality),
            windows,
            endpoints(root));
    return new ReportDocument(settings, report);
  }

  // Absent in reports written before the per-endpoint breakdown: empty.
  private static TreeMap<String, EndpointStats> endpoints(JsonValue.Obj root) {
    TreeMap<String, EndpointStats> out = new TreeMap<>();
    if (!(root.find("endpoints").orElse(null) instanceof JsonValue.Obj endpoints)) {
      return out;
    }
    endpoints
        .members()
        .keySet()
        .forEach(
            k -> {
              JsonValue.Obj e = endpoints.object(k);
              JsonValue.Obj server = e.object("serverDeadline");
              out.put(
                  k,
                  new EndpointStats(
                      e.integer("sent"),
                      e.integer("ok"),
                      e.integer("rejected429"),
                      e.integer("errors"),
                      e.integer("good"),
                      server.integer("reported"),
                      server.integer("met"),
                      latency(e.object("latencyMs")),
                      latency(e.object("ttftMs")),
                      latency(e.object("interTokenMs")),
                      e.integer("tokens")));
            });
    return out;
  }

  private static Map<String, Long> longs(JsonValue.Obj object) {
    Map<String, Long> out = new TreeMap<>();
    object.members().keySet().forEach(k -> out.put(k, object.integer(k)));
    return out;
  }

  private static void latency(JsonWriter json, LatencySummary s) {
    json.beginObject()
        .name("count")
        .value(s.count())
        .name("p50")
        .value(s.p50Millis())
        .name("p90")
        .value(s.p90Millis())
        .name("p95")
        .value(s.p95Millis())
        .name("p99")
        .value(s.p99Millis())
        .name("max")
        .value(s.maxMillis())
        .name("mean")
        .value(s.meanMillis())
        .endObject();
  }

  private static LatencySummary latency(JsonValue.Obj s) {
    return new LatencySummary(
        s.integer("count"),
        s.number("p50"),
        s.number("p90"),
        s.number("p95"),
        s.number("p99"),
        s.number("max"),
        s.number("mean"));
  }
}
