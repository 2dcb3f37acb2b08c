package io.flexserve.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-endpoint breakdown of a {@link Report} as rows of text, shared by the console and HTML
 * reports.
 */
public final class EndpointTable {
  private EndpointTable() {}

  /** Counts per endpoint kind; the first row is the header. */
  public static List<String[]> counts(Report report) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "endpoint",
          "sent",
          "2xx",
          "429",
          "errors",
          "good",
          "server met",
          "tokens",
          "tok/s",
          "p50 ms",
          "p99 ms"
        });
    for (Map.Entry<String, EndpointStats> e : report.endpoints().entrySet()) {
      EndpointStats s = e.getValue();
      rows.add(
          new String[] {
            e.getKey(),
            Long.toString(s.sent()),
            Long.toString(s.ok()),
            Long.toString(s.rejected()),
            Long.toString(s.errors()),
            Long.toString(s.good()),
            s.serverVerdicts() == 0 ? "-" : s.serverMet() + " of " + s.serverVerdicts(),
            Long.toString(s.tokens()),
            fmt("%.1f", s.tokensPerSecond(report.durationSeconds())),
            ms(s.latency().p50Millis()),
            ms(s.latency().p99Millis())
          });
    }
    return rows;
  }

  /**
   * Time to first token and inter-token times of the streamed kinds; the first row is the header.
   * Only kinds with at least one measured stream have a row.
   */
  public static List<String[]> streaming(Report report) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "stream",
          "streams",
          "TTFT p50",
          "TTFT p90",
          "TTFT p99",
          "TTFT max",
          "gaps",
          "ITL p50",
          "ITL p99",
          "ITL max"
        });
    for (Map.Entry<String, EndpointStats> e : report.endpoints().entrySet()) {
      EndpointStats s = e.getValue();
      if (s.ttft().count() == 0) {
        continue;
      }
      rows.add(
          new String[] {
            e.getKey(),
            Long.toString(s.ttft().count()),
            ms(s.ttft().p50Millis()),
            ms(s.ttft().p90Millis()),
            ms(s.ttft().p99Millis()),
            ms(s.ttft().maxMillis()),
            Long.toString(s.interToken().count()),
            ms(s.interToken().p50Millis()),
            ms(s.interToken().p99Millis()),
            ms(s.interToken().maxMillis())
          });
    }
    return rows;
  }

  static String ms(double millis) {
    return Double.isNaN(millis) ? "-" : fmt("%.2f", millis);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
