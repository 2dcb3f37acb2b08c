package io.flexserve.loadtest.workload;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads a trace file: a JSON array of objects, or CSV with a header row, both with the keys {@code
 * offset_ms, endpoint, inputs, target_ms}. A file whose first non-blank character is {@code [} is
 * JSON.
 *
 * <ul>
 *   <li>{@code offset_ms}: required, milliseconds from the start of the replay, zero or more.
 *   <li>{@code endpoint}: empty (embeddings) or an {@link EndpointKind} label or path, such as
 *       {@code chat-stream} or {@code /v1/completions}; optional column {@code max_tokens} for
 *       generation entries.
 *   <li>{@code inputs}: empty for {@code --inputs-per-request} texts from the pool; a whole number
 *       n for n texts from the pool; otherwise the text to send (CSV) or, in JSON, a string or an
 *       array of strings.
 *   <li>{@code target_ms}: empty (JSON: absent or null) for the run's target distribution, else the
 *       target.
 * </ul>
 *
 * <p>CSV follows RFC 4180: comma-separated, fields with commas, quotes or line breaks in double
 * quotes, quotes doubled. Columns are found by their header names, in any order; other columns are
 * ignored. Entries are replayed in offset order; entries with equal offsets keep their file order.
 */
public final class TraceFile {
  private static final List<String> COLUMNS =
      List.of("offset_ms", "endpoint", "inputs", "target_ms");

  // Text after the array is an error, as for any strict JSON reader.
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private TraceFile() {}

  /**
   * Reads and validates a trace.
   *
   * @return the entries in offset order; at least one, at most {@link ScheduleBounds#HARD_CAP}
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file, the line or entry, and the bad value
   */
  public static List<TraceEntry> read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trace " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@link #read} for text already in memory. */
  static List<TraceEntry> parse(String text) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<TraceEntry> entries = body.strip().startsWith("[") ? fromJson(body) : fromCsv(body);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no entries");
    }
    if (entries.size() > ScheduleBounds.HARD_CAP) {
      throw new IllegalArgumentException(
          entries.size() + " entries, more than the cap of " + ScheduleBounds.HARD_CAP);
    }
    List<TraceEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(TraceEntry::offsetNanos));
    return List.copyOf(sorted);
  }

  private static List<TraceEntry> fromJson(String text) {
    JsonNode root;
    try {
      root = JSON.readValue(text, JsonNode.class);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      // Jackson describes the source in positions it quotes; it is the file already named.
      String why = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
      throw new IllegalArgumentException("invalid JSON" + where + ": " + why, e);
    }
    if (!(root instanceof ArrayNode array)) {
      throw new IllegalArgumentException("a JSON trace must be an array of objects");
    }
    List<TraceEntry> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      try {
        if (!(array.get(i) instanceof ObjectNode entry)) {
          throw new IllegalArgumentException("not an object");
        }
        EndpointKind kind =
            absent(entry, "endpoint")
                ? EndpointKind.EMBEDDINGS
                : EndpointKind.parse(string(entry, "endpoint"));
        out.add(
            new TraceEntry(
                offsetNanos(number(entry, "offset_ms")),
                jsonInputs(entry.path("inputs")),
                absent(entry, "target_ms")
                    ? OptionalDouble.empty()
                    : OptionalDouble.of(number(entry, "target_ms")),
                kind,
                absent(entry, "max_tokens") ? 0 : maxTokens(number(entry, "max_tokens"))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("entry " + i + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static TraceEntry.Inputs jsonInputs(JsonNode v) {
    if (v.isMissingNode() || v.isNull()) {
      return new TraceEntry.PerRequest();
    }
    if (v.isNumber()) {
      return new TraceEntry.Count(count(v.doubleValue()));
    }
    if (v.isTextual()) {
      return new TraceEntry.Texts(List.of(v.textValue()));
    }
    if (v.isArray()) {
      List<String> texts = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw new IllegalArgumentException("inputs array must hold strings, got " + typeName(e));
        }
        texts.add(e.textValue());
      }
      return new TraceEntry.Texts(texts);
    }
    throw new IllegalArgumentException(
        "inputs must be a count, a string or an array of strings, got " + typeName(v));
  }

  /*
   * Typed member access, so that a malformed entry fails naming the member rather than being read
   * with Jackson's lenient defaults (0 or "" for a missing or mistyped value).
   */

  // Absent or null: the member's default applies.
  private static boolean absent(JsonNode entry, String name) {
    return entry.path(name).isMissingNode() || entry.path(name).isNull();
  }

  private static JsonNode present(JsonNode entry, String name) {
    JsonNode v = entry.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing member '" + name + "'");
    }
    return v;
  }

  private static String string(JsonNode entry, String name) {
    JsonNode v = present(entry, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException(
          "member '" + name + "' must be a string, got " + typeName(v));
    }
    return v.textValue();
  }

  // A number, or null (read as NaN, which the callers reject or treat as absent).
  private static double number(JsonNode entry, String name) {
    JsonNode v = present(entry, name);
    if (v.isNull()) {
      return Double.NaN;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(
          "member '" + name + "' must be a number or null, got " + typeName(v));
    }
    // Jackson reads an overflowing literal such as 1e999 as infinity.
    if (!Double.isFinite(v.doubleValue())) {
      throw new IllegalArgumentException("member '" + name + "' is out of range");
    }
    return v.doubleValue();
  }

  private static String typeName(JsonNode v) {
    return v.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static List<TraceEntry> fromCsv(String text) {
    List<List<String>> rows = Csv.parse(text);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("empty file");
    }
    Map<String, Integer> column = new java.util.HashMap<>();
    List<String> header = rows.get(0);
    for (int c = 0; c < header.size(); c++) {
      column.put(header.get(c).strip().toLowerCase(Locale.ROOT), c);
    }
    if (!column.keySet().containsAll(COLUMNS)) {
      throw new IllegalArgumentException(
          "CSV header must name the columns "
              + String.join(",", COLUMNS)
              + ", got '"
              + String.join(",", header)
              + "'");
    }
    List<TraceEntry> out = new ArrayList<>();
    for (int r = 1; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      if (row.size() == 1 && row.get(0).isBlank()) {
        continue;
      }
      try {
        EndpointKind kind = EndpointKind.parse(cell(row, column.get("endpoint")));
        String target = cell(row, column.get("target_ms")).strip();
        String max =
            column.containsKey("max_tokens") ? cell(row, column.get("max_tokens")).strip() : "";
        out.add(
            new TraceEntry(
                offsetNanos(number(cell(row, column.get("offset_ms")), "offset_ms")),
                csvInputs(cell(row, column.get("inputs"))),
                target.isEmpty()
                    ? OptionalDouble.empty()
                    : OptionalDouble.of(number(target, "target_ms")),
                kind,
                max.isEmpty() ? 0 : maxTokens(number(max, "max_tokens"))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "row " + r + " (after the header): " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static TraceEntry.Inputs csvInputs(String cell) {
    String v = cell.strip();
    if (v.isEmpty()) {
      return new TraceEntry.PerRequest();
    }
    if (v.matches("[0-9]{1,9}")) {
      return new TraceEntry.Count(Integer.parseInt(v));
    }
    return new TraceEntry.Texts(List.of(cell));
  }

  private static String cell(List<String> row, int column) {
    return column < row.size() ? row.get(column) : "";
  }

  private static double number(String v, String name) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a number", e);
    }
  }

  private static int count(double v) {
    if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("inputs count must be a whole number >= 1, got " + v);
    }
    return (int) v;
  }

  private static long offsetNanos(double millis) {
    if (!(millis >= 0) || Double.isInfinite(millis)) {
      throw new IllegalArgumentException("offset_ms must be a number >= 0, got " + millis);
    }
    return Math.round(millis * 1e6);
  }

  private static int maxTokens(double v) {
    if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("max_tokens must be a whole number >= 1, got " + v);
    }
    return (int) v;
  }
}
