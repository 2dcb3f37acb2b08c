package io.flexserve.loadtest.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders several reports side by side as aligned plain text: one row per run, then sub-network
 * shares.
 */
public final class ConsoleComparison {
  private ConsoleComparison() {}

  /**
   * Returns the comparison, ending with a newline.
   *
   * @param labels one label per run
   * @param docs the runs, in order
   */
  public static String render(List<String> labels, List<ReportDocument> docs) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "run",
          "sent",
          "2xx",
          "429",
          "errors",
          "attainment",
          "goodput/s",
          "thrpt/s",
          "p50 ms",
          "p99 ms",
          "quality",
          "target",
          "arrival"
        });
    Set<String> subnets = new LinkedHashSet<>();
    Map<String, Double> quality = new TreeMap<>();
    for (int i = 0; i < docs.size(); i++) {
      Report r = docs.get(i).report();
      Map<String, String> s = docs.get(i).settings();
      subnets.addAll(r.subnetCounts().keySet());
      quality.putAll(r.subnetQuality());
      rows.add(
          new String[] {
            labels.get(i),
            Long.toString(r.sent()),
            Long.toString(r.ok()),
            Long.toString(r.rejected()),
            Long.toString(r.errors()),
            percent(r.sloAttainment()),
            num(r.goodputPerSecond(), 1),
            num(r.throughputPerSecond(), 1),
            num(r.latency().p50Millis(), 2),
            num(r.latency().p99Millis(), 2),
            num(r.meanQuality(), 4),
            s.getOrDefault("latency target", "-"),
            s.getOrDefault("arrival", "-")
          });
    }
    StringBuilder out = new StringBuilder("runs\n");
    table(out, rows, 11);

    List<String> order = Report.subnetOrder(subnets, quality);
    rows.clear();
    List<String> header = new ArrayList<>(List.of("run"));
    header.addAll(order);
    rows.add(header.toArray(String[]::new));
    for (int i = 0; i < docs.size(); i++) {
      List<String> row = new ArrayList<>(List.of(labels.get(i)));
      for (String subnet : order) {
        row.add(
            String.format(Locale.ROOT, "%.1f %%", 100 * docs.get(i).report().subnetShare(subnet)));
      }
      rows.add(row.toArray(String[]::new));
    }
    out.append("sub-network share of 2xx\n");
    table(out, rows, Integer.MAX_VALUE);
    return out.toString();
  }

  // The first column and columns from leftFrom on are left-aligned; the others right-aligned.
  private static void table(StringBuilder out, List<String[]> rows, int leftFrom) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder(" ");
      for (int c = 0; c < r.length; c++) {
        String pad = " ".repeat(width[c] - r[c].length());
        line.append(' ').append(c == 0 || c >= leftFrom ? r[c] + pad : pad + r[c]);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static String percent(double fraction) {
    return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
  }

  private static String num(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
