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
    if (g.known()) {
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

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
