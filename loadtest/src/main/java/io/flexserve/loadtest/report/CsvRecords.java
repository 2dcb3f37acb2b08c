package io.flexserve.loadtest.report;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * Writes per-request records as CSV: comma-separated, one row per line ending in LF, and fields
 * that contain commas, quotes or line breaks quoted as RFC 4180 describes. Times are milliseconds;
 * absent values are empty fields. The generation columns (from {@code endpoint} on) are empty for
 * embeddings; {@code subnets} is separated by {@code ;}. {@code subnet} is the bare {@code
 * X-Subnet} name; {@code model} (last) is the model the request named.
 */
public final class CsvRecords {
  /** The header row. */
  public static final String HEADER =
      "index,intended_ms,target_ms,outcome,status,latency_ms,service_ms,subnet,deadline_met,queue_ms,inference_ms,"
          + "error,endpoint,ttft_ms,tokens,text_chunks,itl_mean_ms,itl_max_ms,subnets,finish_reason,"
          + "server_ttft_ms,model";

  private CsvRecords() {}

  /**
   * Writes the header and one row per record, in list order. The caller owns and closes {@code
   * out}.
   *
   * @throws IOException if writing fails
   */
  public static void write(List<RequestRecord> records, Writer out) throws IOException {
    out.write(HEADER);
    out.write('\n');
    for (RequestRecord r : records) {
      out.write(
          String.join(
              ",",
              Integer.toString(r.index()),
              millis(r.intendedNanos() / 1e6),
              millis(r.targetMillis()),
              r.outcome().name(),
              r.outcome().hasStatus() ? Integer.toString(r.status()) : "",
              millis(r.latencyMillis()),
              millis(r.serviceMillis()),
              field(r.subnet()),
              r.deadlineVerdict().headerValue(),
              millis(r.queueMillis()),
              millis(r.inferenceMillis()),
              field(r.error()),
              r.endpoint(),
              millis(r.generation().ttftMillis()),
              r.generation().tokens() < 0 ? "" : Integer.toString(r.generation().tokens()),
              r.generation().streamed() ? Integer.toString(r.generation().textChunks()) : "",
              millis(r.generation().meanInterTokenMillis()),
              millis(r.generation().maxInterTokenMillis()),
              field(String.join(";", r.generation().subnets())),
              field(r.generation().finishReason()),
              millis(r.generation().serverTtftMillis()),
              field(r.model())));
      out.write('\n');
    }
  }

  private static String millis(double ms) {
    return Double.isFinite(ms) ? String.format(Locale.ROOT, "%.3f", ms) : "";
  }

  static String field(String value) {
    if (value.indexOf(',') < 0
        && value.indexOf('"') < 0
        && value.indexOf('\n') < 0
        && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }
}
