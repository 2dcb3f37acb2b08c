package io.flexserve.loadtest.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a {@link Report} as one JSON object for machines, and reads it back for {@code compare}.
 * Times are milliseconds unless a name says otherwise, rates are per second, and values that do not
 * exist (percentiles of an empty set, attainment of an empty run, no target, unknown quality) are
 * {@code null}. The document starts with {@code "format": "flexserve-loadtest-report"} and {@code
 * "version"}; {@link #parse} accepts only this version.
 *
 * <p><b>Why one class of 470 lines.</b> The writer and the reader of one format stay together, so
 * each member is named in one file and a change to the format changes both halves at once.
 */
public final class JsonReport {
  /** Value of the document's {@code "format"} member. */
  public static final String FORMAT = "flexserve-loadtest-report";

  /**
   * Value of the document's {@code "version"} member; 2 added per-request targets, quality and
   * windows.
   */
  public static final int VERSION = 2;

  // Text after the document is an error, as for any strict JSON reader.
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private JsonReport() {}

  /**
   * Returns the JSON document.
   *
   * @param report what to render
   * @param settings run settings, written as the string members of {@code "settings"} in iteration
   *     order
   */
  public static String render(Report report, Map<String, String> settings) {
    ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("version", VERSION);
    ObjectNode settingsNode = root.putObject("settings");
    settings.forEach((k, v) -> settingsNode.put(k, v));

    ObjectNode counts =
        root.putObject("counts")
            .put("sent", report.sent())
            .put("ok", report.ok())
            .put("rejected429", report.rejected())
            .put("otherStatus", report.httpErrors())
            .put("timeouts", report.timeouts())
            .put("transportErrors", report.transportErrors())
            .put("good", report.good())
            .put("targeted", report.targeted());
    ObjectNode byStatus = counts.putObject("byStatus");
    report.statusCounts().forEach((status, n) -> byStatus.put(Integer.toString(status), n));
    ObjectNode errorKinds = counts.putObject("errorKinds");
    report.errorKinds().forEach((kind, n) -> errorKinds.put(kind, n));

    ObjectNode targets = root.putObject("targetMs");
    putNumber(targets, "min", report.targetMinMillis());
    putNumber(targets, "max", report.targetMaxMillis());
    putNumber(root, "durationSeconds", report.durationSeconds());
    putNumber(root, "throughputPerSecond", report.throughputPerSecond());
    putNumber(root, "goodputPerSecond", report.goodputPerSecond());
    putNumber(root, "sloAttainment", report.sloAttainment());
    putNumber(root, "meanQuality", report.meanQuality());
    putNumber(root, "maxSendLagMs", report.maxSendLagMillis());
    root.putObject("serverDeadline")
        .put("reported", report.serverVerdicts())
        .put("met", report.serverMet());

    ObjectNode latency = root.putObject("latencyMs");
    latency(latency.putObject("endToEnd"), report.latency());
    latency(latency.putObject("service"), report.service());
    latency(latency.putObject("sendLag"), report.sendLag());
    ArrayNode cdf = root.putArray("latencyCdf");
    for (CdfPoint p : report.latencyCdf()) {
      cdf.addObject().put("fraction", p.fraction()).put("ms", p.millis());
    }
    GeneratorCost g = report.generator();
    ObjectNode generator =
        root.putObject("generator")
            .put("requests", g.requests())
            .put("connections", g.connections());
    putNumber(generator, "wallSeconds", g.wallSeconds());
    putNumber(generator, "processCpuSeconds", g.processCpuSeconds());
    putNumber(generator, "senderCpuSeconds", g.senderCpuSeconds());
    putNumber(generator, "processCpuUsPerRequest", g.processMicrosPerRequest());
    putNumber(generator, "senderCpuUsPerRequest", g.senderMicrosPerRequest());
    generator.put("sender", g.sender());
    NativeStats ns = g.nativeStats();
    if (ns.known()) {
      ObjectNode nat =
          generator
              .putObject("native")
              .put("wakes", ns.wakes())
              .put("syscalls", ns.syscalls())
              .put("answers", ns.answers())
              .put("timestampFallbacks", ns.timestampFallbacks());
      putNumber(nat, "wakesPerRequest", g.wakesPerRequest());
      putNumber(nat, "parentCpuSeconds", ns.parentCpuSeconds());
      putNumber(nat, "parentCpuUsPerRequest", g.parentMicrosPerRequest());
    }

    ObjectNode subnets = root.putObject("subnets");
    report
        .subnetCounts()
        .forEach(
            (subnet, n) ->
                putNumber(
                    subnets.putObject(subnet).put("count", n),
                    "share",
                    report.subnetShare(subnet)));
    ObjectNode quality = root.putObject("subnetQuality");
    report.subnetQuality().forEach((subnet, q) -> putNumber(quality, subnet, q));

    ObjectNode endpoints = root.putObject("endpoints");
    report
        .endpoints()
        .forEach(
            (kind, e) -> {
              ObjectNode node =
                  endpoints
                      .putObject(kind)
                      .put("sent", e.sent())
                      .put("ok", e.ok())
                      .put("rejected429", e.rejected())
                      .put("errors", e.errors())
                      .put("good", e.good())
                      .put("tokens", e.tokens());
              putNumber(node, "tokensPerSecond", e.tokensPerSecond(report.durationSeconds()));
              node.putObject("serverDeadline")
                  .put("reported", e.serverVerdicts())
                  .put("met", e.serverMet());
              latency(node.putObject("latencyMs"), e.latency());
              latency(node.putObject("ttftMs"), e.ttft());
              latency(node.putObject("interTokenMs"), e.interToken());
            });

    putNumber(root, "windowSeconds", Report.WINDOW_SECONDS);
    ArrayNode windows = root.putArray("windows");
    for (Window w : report.windows()) {
      ObjectNode node = windows.addObject();
      putNumber(node, "start", w.startSeconds());
      node.put("sent", w.sent())
          .put("ok", w.ok())
          .put("good", w.good())
          .put("rejected", w.rejected())
          .put("errors", w.errors());
      putNumber(node, "p50", w.p50Millis());
      putNumber(node, "p90", w.p90Millis());
      putNumber(node, "p99", w.p99Millis());
      ObjectNode windowSubnets = node.putObject("subnets");
      w.subnetCounts().forEach((subnet, n) -> windowSubnets.put(subnet, n));
      tallies(node.putObject("models"), w.models());
      tallies(node.putObject("subnetSlo"), w.subnets());
    }
    return write(root);
  }

  /**
   * Puts a number member; NaN and infinities, which JSON cannot represent, become {@code null}
   * (Jackson would write them as the strings {@code "NaN"} and {@code "Infinity"}).
   *
   * @return {@code object}
   */
  public static ObjectNode putNumber(ObjectNode object, String name, double value) {
    return Double.isFinite(value) ? object.put(name, value) : object.putNull(name);
  }

  /** The compact JSON text of {@code node}. */
  public static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // A tree of plain nodes written to a string has no I/O that could fail.
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a document written by {@link #render}.
   *
   * @throws IllegalArgumentException if the text is not JSON, not a report of this {@link
   *     #VERSION}, or its values are inconsistent; the message names the member
   */
  public static ReportDocument parse(String text) {
    JsonNode root;
    try {
      // readValue, unlike readTree, fails on empty text instead of returning a missing node.
      root = JSON.readValue(text, JsonNode.class);
    } catch (JsonProcessingException e) {
      throw invalidJson(e);
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    if (!FORMAT.equals(root.path("format").textValue())) {
      throw new IllegalArgumentException(
          "not a flexserve-loadtest report (no \"format\": \"" + FORMAT + "\")");
    }
    if (integer(root, "version") != VERSION) {
      throw new IllegalArgumentException(
          "report version "
              + integer(root, "version")
              + " is not supported; "
              + "this load tester reads version "
              + VERSION
              + " (re-run the load test to get one)");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    JsonNode settingsObject = object(root, "settings");
    settingsObject.fieldNames().forEachRemaining(k -> settings.put(k, string(settingsObject, k)));

    JsonNode counts = object(root, "counts");
    Map<Integer, Long> byStatus = new TreeMap<>();
    longs(object(counts, "byStatus")).forEach((k, n) -> byStatus.put(status(k), n));
    Map<String, Long> errorKinds = longs(object(counts, "errorKinds"));
    Map<String, Long> subnetCounts = new TreeMap<>();
    JsonNode subnets = object(root, "subnets");
    subnets
        .fieldNames()
        .forEachRemaining(k -> subnetCounts.put(k, integer(object(subnets, k), "count")));
    Map<String, Double> quality = new TreeMap<>();
    JsonNode qualityObject = object(root, "subnetQuality");
    qualityObject.fieldNames().forEachRemaining(k -> quality.put(k, number(qualityObject, k)));
    JsonNode latency = object(root, "latencyMs");
    JsonNode targets = object(root, "targetMs");
    JsonNode server = object(root, "serverDeadline");

    double windowSeconds = number(root, "windowSeconds");
    List<Window> windows = new ArrayList<>();
    JsonNode windowArray = member(root, "windows", JsonNodeType.ARRAY, "an array");
    for (int i = 0; i < windowArray.size(); i++) {
      JsonNode w = windowArray.get(i);
      if (!w.isObject()) {
        throw new IllegalArgumentException(
            "windows[" + i + "] must be an object, got " + typeName(w));
      }
      windows.add(
          new Window(
              number(w, "start"),
              windowSeconds,
              integer(w, "sent"),
              integer(w, "ok"),
              integer(w, "good"),
              integer(w, "rejected"),
              integer(w, "errors"),
              number(w, "p50"),
              number(w, "p90"),
              number(w, "p99"),
              new TreeMap<>(longs(object(w, "subnets"))),
              tallies(w, "models"),
              tallies(w, "subnetSlo")));
    }
    Report report =
        new Report(
            integer(counts, "sent"),
            new TreeMap<>(byStatus),
            integer(counts, "ok"),
            integer(counts, "rejected429"),
            integer(counts, "otherStatus"),
            integer(counts, "timeouts"),
            integer(counts, "transportErrors"),
            integer(counts, "targeted"),
            number(targets, "min"),
            number(targets, "max"),
            integer(counts, "good"),
            integer(server, "reported"),
            integer(server, "met"),
            number(root, "durationSeconds"),
            number(root, "throughputPerSecond"),
            number(root, "goodputPerSecond"),
            number(root, "sloAttainment"),
            latency(object(latency, "endToEnd")),
            latency(object(latency, "service")),
            number(root, "maxSendLagMs"),
            new TreeMap<>(subnetCounts),
            new TreeMap<>(errorKinds),
            new TreeMap<>(quality),
            windows,
            endpoints(root),
            latency.has("sendLag") ? latency(object(latency, "sendLag")) : LatencySummary.EMPTY,
            cdf(root),
            generator(root));
    return new ReportDocument(settings, report);
  }

  // {"name": {"count": n, "good": g, "attainment": a}}; the attainment is for readers, not read
  // back.
  private static void tallies(ObjectNode node, Map<String, Tally> tallies) {
    tallies.forEach(
        (name, t) ->
            putNumber(
                node.putObject(name).put("count", t.count()).put("good", t.good()),
                "attainment",
                t.attainment()));
  }

  // Absent in reports written before per-model and per-sub-network SLO windows: empty.
  private static TreeMap<String, Tally> tallies(JsonNode window, String name) {
    TreeMap<String, Tally> out = new TreeMap<>();
    if (!window.has(name)) {
      return out;
    }
    JsonNode object = object(window, name);
    object
        .fieldNames()
        .forEachRemaining(
            k -> {
              JsonNode t = object(object, k);
              out.put(k, new Tally(integer(t, "count"), integer(t, "good")));
            });
    return out;
  }

  // Absent in reports written before the latency distribution was kept: empty.
  private static List<CdfPoint> cdf(JsonNode root) {
    List<CdfPoint> out = new ArrayList<>();
    if (!root.has("latencyCdf")) {
      return out;
    }
    JsonNode array = member(root, "latencyCdf", JsonNodeType.ARRAY, "an array");
    for (JsonNode p : array) {
      out.add(new CdfPoint(number(p, "fraction"), number(p, "ms")));
    }
    return out;
  }

  // Absent in reports written before the generator's cost was measured: unknown.
  private static GeneratorCost generator(JsonNode root) {
    if (!root.has("generator")) {
      return GeneratorCost.UNKNOWN;
    }
    JsonNode g = object(root, "generator");
    // Absent before the native sender existed: netty.
    NativeStats stats = NativeStats.NONE;
    if (g.has("native")) {
      JsonNode n = object(g, "native");
      stats =
          new NativeStats(
              integer(n, "wakes"),
              integer(n, "syscalls"),
              integer(n, "answers"),
              integer(n, "timestampFallbacks"),
              number(n, "parentCpuSeconds"));
    }
    return new GeneratorCost(
        integer(g, "requests"),
        integer(g, "connections"),
        number(g, "wallSeconds"),
        number(g, "processCpuSeconds"),
        number(g, "senderCpuSeconds"),
        g.has("sender") ? string(g, "sender") : "netty",
        stats);
  }

  // Absent in reports written before the per-endpoint breakdown: empty.
  private static TreeMap<String, EndpointStats> endpoints(JsonNode root) {
    TreeMap<String, EndpointStats> out = new TreeMap<>();
    JsonNode endpoints = root.path("endpoints");
    if (!endpoints.isObject()) {
      return out;
    }
    endpoints
        .fieldNames()
        .forEachRemaining(
            k -> {
              JsonNode e = object(endpoints, k);
              JsonNode server = object(e, "serverDeadline");
              out.put(
                  k,
                  new EndpointStats(
                      integer(e, "sent"),
                      integer(e, "ok"),
                      integer(e, "rejected429"),
                      integer(e, "errors"),
                      integer(e, "good"),
                      integer(server, "reported"),
                      integer(server, "met"),
                      latency(object(e, "latencyMs")),
                      latency(object(e, "ttftMs")),
                      latency(object(e, "interTokenMs")),
                      integer(e, "tokens")));
            });
    return out;
  }

  /**
   * Jackson's message with the line and column, less the source description it puts into positions
   * it quotes (which only says that the source is not shown).
   */
  private static IllegalArgumentException invalidJson(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String why = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
    return new IllegalArgumentException("invalid JSON" + where + ": " + why, e);
  }

  private static Map<String, Long> longs(JsonNode object) {
    Map<String, Long> out = new TreeMap<>();
    object.fieldNames().forEachRemaining(k -> out.put(k, integer(object, k)));
    return out;
  }

  private static int status(String name) {
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("byStatus member '" + name + "' is not a status code", e);
    }
  }

  /*
   * Typed member access: a malformed report fails with a message naming the member, not with
   * Jackson's lenient defaults (0 or "" for a missing or mistyped value).
   */

  private static JsonNode member(JsonNode object, String name, JsonNodeType type, String expected) {
    JsonNode v = object.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing member '" + name + "'");
    }
    if (v.getNodeType() != type) {
      throw new IllegalArgumentException(
          "member '" + name + "' must be " + expected + ", got " + typeName(v));
    }
    return v;
  }

  private static JsonNode object(JsonNode object, String name) {
    return member(object, name, JsonNodeType.OBJECT, "an object");
  }

  private static String string(JsonNode object, String name) {
    return member(object, name, JsonNodeType.STRING, "a string").textValue();
  }

  // A number, or null (read as NaN).
  private static double number(JsonNode object, String name) {
    JsonNode v = object.get(name);
    if (v != null && v.isNull()) {
      return Double.NaN;
    }
    return finite(name, member(object, name, JsonNodeType.NUMBER, "a number or null"));
  }

  // A whole number; as doubles, so exact up to 2^53.
  private static long integer(JsonNode object, String name) {
    double v = finite(name, member(object, name, JsonNodeType.NUMBER, "a number"));
    if (v != Math.rint(v) || Math.abs(v) > (1L << 53)) {
      throw new IllegalArgumentException("member '" + name + "' must be a whole number, got " + v);
    }
    return (long) v;
  }

  // Jackson reads an overflowing literal such as 1e999 as infinity; no report holds one.
  private static double finite(String name, JsonNode number) {
    double v = number.doubleValue();
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("member '" + name + "' is out of range");
    }
    return v;
  }

  private static String typeName(JsonNode v) {
    return v.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static void latency(ObjectNode node, LatencySummary s) {
    node.put("count", s.count());
    putNumber(node, "p50", s.p50Millis());
    putNumber(node, "p90", s.p90Millis());
    putNumber(node, "p95", s.p95Millis());
    putNumber(node, "p99", s.p99Millis());
    putNumber(node, "max", s.maxMillis());
    putNumber(node, "mean", s.meanMillis());
  }

  private static LatencySummary latency(JsonNode s) {
    return new LatencySummary(
        integer(s, "count"),
        number(s, "p50"),
        number(s, "p90"),
        number(s, "p95"),
        number(s, "p99"),
        number(s, "max"),
        number(s, "mean"));
  }
}
