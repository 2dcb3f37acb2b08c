package io.flexserve.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The load generator's cost and send lag as label/value rows, for the console and HTML reports. */
public final class GeneratorTable {
  /** Issue 19's budget for the generator's CPU per request, microseconds. */
  public static final double BUDGET_MICROS = 50;

  private GeneratorTable() {}

  /** Rows {@code {label, value}}, without a header row. */
  public static List<String[]> rows(Report report) {
    List<String[]> rows = new ArrayList<>();
    GeneratorCost g = report.generator();
    if (g.known() && g.nativeStats().known()) {
      rows.addAll(nativeRows(g));
    } else if (g.known()) {
      rows.add(
          new String[] {
            "CPU per request",
            fmt(
                "%.1f \u00b5s process (%s the %.0f \u00b5s budget), %.1f \u00b5s in the sending"
                    + " threads",
                g.processMicrosPerRequest(),
                g.processMicrosPerRequest() <= BUDGET_MICROS ? "within" : "over",
                BUDGET_MICROS,
                g.senderMicrosPerRequest())
          });
      rows.add(
          new String[] {
            "CPU in all",
            fmt(
                "%.3f s over %.1f s for %d requests (%.1f %% of one core); %d connections opened",
                g.processCpuSeconds(),
                g.wallSeconds(),
                g.requests(),
                100 * g.processCores(),
                g.connections())
          });
    } else {
      rows.add(new String[] {"CPU per request", "not measured"});
    }
    LatencySummary lag = report.sendLag();
    rows.add(
        new String[] {
          "send lag",
          lag.count() == 0
              ? fmt("max %.3f ms", report.maxSendLagMillis())
              : fmt(
                  "p50 %.3f, p90 %.3f, p99 %.3f, max %.3f ms",
                  lag.p50Millis(), lag.p90Millis(), lag.p99Millis(), lag.maxMillis())
        });
    return rows;
  }

  // The native sender is a subprocess: its own CPU is the generator's, and the Java parent's, which
  // only waits for it, is shown beside it rather than hidden.
  private static List<String[]> nativeRows(GeneratorCost g) {
    NativeStats n = g.nativeStats();
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "CPU per request",
          fmt(
              "%.1f \u00b5s native sender process (%s the %.0f \u00b5s budget)",
              g.processMicrosPerRequest(),
              g.processMicrosPerRequest() <= BUDGET_MICROS ? "within" : "over",
              BUDGET_MICROS)
        });
    rows.add(
        new String[] {
          "wakes per request",
          fmt(
              "%.2f (%d wakes; %.1f system calls per request)",
              g.wakesPerRequest(), n.wakes(), (double) n.syscalls() / g.requests())
        });
    rows.add(
        new String[] {
          "receive times",
          fmt(
              "kernel timestamp (SO_TIMESTAMPNS) for %d of %d answers, read time for %d",
              n.answers() - n.timestampFallbacks(), n.answers(), n.timestampFallbacks())
        });
    rows.add(
        new String[] {
          "Java parent CPU",
          fmt(
              "%.1f \u00b5s per request while the native sender ran (%.3f s; it only waits)",
              g.parentMicrosPerRequest(), n.parentCpuSeconds())
        });
    rows.add(
        new String[] {
          "CPU in all",
          fmt(
              "native sender %.3f s over %.1f s for %d requests (%.1f %% of one core); %d"
                  + " connections opened",
              g.processCpuSeconds(),
              g.wallSeconds(),
              g.requests(),
              100 * g.processCores(),
              g.connections())
        });
    return rows;
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
