package io.flexserve.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link Report} as an aligned plain-text summary for the terminal. */
public final class ConsoleReport {
  private ConsoleReport() {}

  /**
   * Returns the summary, ending with a newline.
   *
   * @param report what to render
   * @param settings run settings to print first, in iteration order (label to value)
   */
  public static String render(Report report, Map<String, String> settings) {
    StringBuilder out = new StringBuilder();
    List<String[]> rows = new ArrayList<>();
    settings.forEach((k, v) -> rows.add(new String[] {k, v}));
    section(out, "run", rows);

    rows.clear();
    rows.add(row("sent", report.sent()));
    rows.add(row("2xx", report.ok()));
    rows.add(row("429 rejected", report.rejected()));
    rows.add(row("other status", report.httpErrors()));
    rows.add(row("timeouts", report.timeouts()));
    rows.add(row("transport errors", report.transportErrors()));
    StringBuilder byStatus = new StringBuilder();
    report
        .statusCounts()
        .forEach(
            (status, n) ->
                byStatus
                    .append(byStatus.length() == 0 ? "" : "  ")
                    .append(status)
                    .append(": ")
                    .append(n));
    rows.add(new String[] {"by status", byStatus.length() == 0 ? "-" : byStatus.toString()});
    report
        .errorKinds()
        .forEach((kind, n) -> rows.add(new String[] {"  " + kind, Long.toString(n)}));
    section(out, "requests", rows);

    rows.clear();
    rows.add(new String[] {"duration", fmt("%.2f s", report.durationSeconds())});
    rows.add(new String[] {"throughput", fmt("%.1f req/s (2xx)", report.throughputPerSecond())});
    String goodDefinition = goodDefinition(report);
    rows.add(
        new String[] {
          "goodput", fmt("%.1f req/s (%s)", report.goodputPerSecond(), goodDefinition)
        });
    rows.add(
        new String[] {
          "SLO attainment",
          Double.isNaN(report.sloAttainment())
              ? "-"
              : fmt(
                  "%.2f %% (%d of %d sent)",
                  100 * report.sloAttainment(), report.good(), report.sent())
        });
    if (report.serverVerdicts() > 0) {
      rows.add(
          new String[] {
            "server says met", fmt("%d of %d", report.serverMet(), report.serverVerdicts())
          });
    }
    // per model: each model's quality measures something of its own, so they are not averaged
    report
        .meanQualityByModel()
        .forEach(
            (model, q) ->
                rows.add(
                    new String[] {
                      model.isEmpty() ? "mean quality" : "mean quality " + model,
                      fmt("%.4f (of 2xx; 1 = full model)", q)
                    }));
    rows.add(new String[] {"max send lag", fmt("%.2f ms", report.maxSendLagMillis())});
    section(out, "rates", rows);

    rows.clear();
    rows.add(new String[] {"", "p50", "p90", "p95", "p99", "max", "mean"});
    rows.add(latencyRow("end-to-end", report.latency()));
    rows.add(latencyRow("service", report.service()));
    section(out, "latency of 2xx, ms (" + report.latency().count() + " requests)", rows);

    rows.clear();
    rows.addAll(GeneratorTable.rows(report));
    section(out, "load generator (its own cost; send lag = actual - intended send time)", rows);

    if (report.hasGeneration()) {
      section(out, "per endpoint", EndpointTable.counts(report));
      List<String[]> streams = EndpointTable.streaming(report);
      if (streams.size() > 1) {
        section(
            out,
            "streams: time to first token and inter-token times, ms (from the intended send)",
            streams);
      }
    }

    rows.clear();
    for (String subnet : report.subnetOrder()) {
      Double quality = report.subnetQuality().get(subnet);
      rows.add(
          new String[] {
            subnet,
            Long.toString(report.subnetCounts().get(subnet)),
            fmt("%.1f %%", 100 * report.subnetShare(subnet)),
            quality == null ? "" : fmt("quality %.4f", quality)
          });
    }
    if (rows.isEmpty()) {
      rows.add(new String[] {"-", "no X-Subnet headers"});
    }
    section(out, "sub-networks (share of 2xx)", rows);
    return out.toString();
  }

  // Left-aligns the first column and right-aligns the others, each padded to its widest cell.
  private static void section(StringBuilder out, String title, List<String[]> rows) {
    out.append(title).append('\n');
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < r.length; c++) {
        String pad = " ".repeat(width[c] - r[c].length());
        if (c == 0) {
          line.append(r[c]).append(pad);
        } else if (r.length == 2) {
          line.append("  ").append(r[c]);
        } else {
          line.append("  ").append(pad).append(r[c]);
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static String[] row(String label, long value) {
    return new String[] {label, Long.toString(value)};
  }

  private static String[] latencyRow(String label, LatencySummary s) {
    return new String[] {
      label,
      ms(s.p50Millis()),
      ms(s.p90Millis()),
      ms(s.p95Millis()),
      ms(s.p99Millis()),
      ms(s.maxMillis()),
      ms(s.meanMillis())
    };
  }

  private static String ms(double millis) {
    return Double.isNaN(millis) ? "-" : fmt("%.2f", millis);
  }

  /** What "good" meant in this run, for the goodput line. */
  static String goodDefinition(Report report) {
    if (report.targeted() == 0) {
      return "2xx, no target";
    }
    String within =
        report.singleTarget()
            ? fmt("2xx within %s ms", trim(report.targetMinMillis()))
            : fmt(
                "2xx within own target, %s..%s ms",
                trim(report.targetMinMillis()), trim(report.targetMaxMillis()));
    long untargeted = report.sent() - report.targeted();
    return untargeted == 0 ? within : within + fmt("; %d untargeted", untargeted);
  }

  static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : fmt("%.1f", v);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
