package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.html.Html.num;
import static io.flexserve.loadtest.html.Html.percent;

import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.ReportDocument;
import io.flexserve.loadtest.report.Window;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The HTML comparison of several runs: one colour per run, side-by-side bars, overlaid lines,
 * settings table.
 */
final class ComparePage {
  private static final String X_TITLE = "seconds since start";

  private ComparePage() {}

  static String render(List<String> labels, List<ReportDocument> docs) {
    List<Report> reports = docs.stream().map(ReportDocument::report).toList();
    List<String> colors = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      colors.add(Palette.nth(i));
    }
    Page page =
        new Page(
            "flexserve load test comparison", docs.size() + " runs: " + String.join(", ", labels));

    List<String[]> table = new ArrayList<>();
    table.add(
        new String[] {
          "run",
          "arrival",
          "target",
          "sent",
          "2xx",
          "429",
          "SLO attainment",
          "goodput /s",
          "throughput /s",
          "p50 ms",
          "p99 ms",
          "mean quality"
        });
    for (int i = 0; i < docs.size(); i++) {
      Report r = reports.get(i);
      Map<String, String> s = docs.get(i).settings();
      table.add(
          new String[] {
            labels.get(i),
            s.getOrDefault("arrival", ""),
            s.getOrDefault("latency target", ""),
            Long.toString(r.sent()),
            Long.toString(r.ok()),
            Long.toString(r.rejected()),
            percent(r.sloAttainment()),
            num(r.goodputPerSecond(), 1),
            num(r.throughputPerSecond(), 1),
            num(r.latency().p50Millis(), 2),
            num(r.latency().p99Millis(), 2),
            num(r.meanQuality(), 4)
          });
    }
    page.heading("Runs").table(table, colors, 1, 2);

    page.heading("Side by side").openGrid();
    page.figure(
        "SLO attainment",
        BarChart.single(
            "SLO attainment per run",
            "%",
            bars(labels, reports, r -> 100 * r.sloAttainment()),
            colors,
            v -> num(v, 1) + " %",
            100),
        "Good requests / sent requests over the whole run.");
    page.figure(
        "Goodput",
        BarChart.single(
            "goodput per run",
            "req/s",
            bars(labels, reports, Report::goodputPerSecond),
            colors,
            v -> num(v, 1),
            Double.NaN),
        "Good requests per second over the whole run.");
    page.figure(
        "p99 end-to-end latency",
        BarChart.single(
            "p99 latency per run",
            "ms",
            bars(labels, reports, r -> r.latency().p99Millis()),
            colors,
            v -> num(v, 1),
            Double.NaN),
        "99th percentile of the 2xx responses' latency from the intended send time.");
    if (reports.stream().anyMatch(r -> !Double.isNaN(r.meanQuality()))) {
      page.figure(
          "Mean quality",
          BarChart.single(
              "mean quality per run",
              "quality",
              bars(labels, reports, Report::meanQuality),
              colors,
              v -> num(v, 3),
              1),
          "Mean quality of the sub-networks that answered (1 = full model); n/a when the run has none.");
    }
    page.figure(
        "Sub-network share",
        subnetShares(labels, reports),
        "Share of each run's 2xx answered by each sub-network.");
    page.closeGrid();

    page.heading("Over time").openGrid();
    page.figure(
        "SLO attainment",
        lines("attainment per second", "%", labels, reports, colors, w -> 100 * w.attainment())
            .yRange(0, 100)
            .svg(),
        "Per second of intended send time.");
    page.figure(
        "Goodput",
        lines("goodput per second", "req/s", labels, reports, colors, Window::goodputPerSecond)
            .svg(),
        "Good requests per second.");
    page.figure(
        "p99 latency",
        lines("p99 per second", "ms", labels, reports, colors, Window::p99Millis).svg(),
        "99th percentile of each second's 2xx.");
    page.figure(
        "429 rejections",
        lines("429 per second", "req/s", labels, reports, colors, Window::rejectedPerSecond).svg(),
        "Requests shed with 429 per second.");
    page.closeGrid();

    int[] textColumns = java.util.stream.IntStream.rangeClosed(1, docs.size()).toArray();
    page.heading("Settings").table(settingsTable(labels, docs), textColumns);
    page.heading("How to read this report").notes(Tables.NOTES);
    return page.html();
  }

  private static List<BarChart.Bar> bars(
      List<String> labels, List<Report> reports, ToDoubleFunction<Report> f) {
    List<BarChart.Bar> out = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      out.add(new BarChart.Bar(labels.get(i), new double[] {f.applyAsDouble(reports.get(i))}));
    }
    return out;
  }

  private static String subnetShares(List<String> labels, List<Report> reports) {
    Set<String> names = new LinkedHashSet<>();
    Map<String, Double> quality = new TreeMap<>();
    for (Report r : reports) {
      names.addAll(r.subnetCounts().keySet());
      quality.putAll(r.subnetQuality());
    }
    List<String> order = Report.subnetOrder(names, quality);
    List<BarChart.Bar> bars = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      double[] v = new double[order.size()];
      for (int s = 0; s < order.size(); s++) {
        v[s] = reports.get(i).subnetShare(order.get(s));
      }
      bars.add(new BarChart.Bar(labels.get(i), v));
    }
    return BarChart.stacked(
        "sub-network share per run", order, RunPage.subnetColors(order), bars, "");
  }

  private static LineChart lines(
      String label,
      String unit,
      List<String> labels,
      List<Report> reports,
      List<String> colors,
      ToDoubleFunction<Window> f) {
    LineChart chart = new LineChart(label, unit, X_TITLE);
    for (int i = 0; i < reports.size(); i++) {
      List<Window> ws = reports.get(i).windows();
      chart.add(
          new LineChart.Series(
              labels.get(i), colors.get(i), RunPage.centres(ws), RunPage.values(ws, f), false));
    }
    return chart;
  }

  // One row per setting, one column per run: settings are many, runs are few.
  private static List<String[]> settingsTable(List<String> labels, List<ReportDocument> docs) {
    Set<String> keys = new LinkedHashSet<>();
    docs.forEach(d -> keys.addAll(d.settings().keySet()));
    List<String[]> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("setting"));
    header.addAll(labels);
    rows.add(header.toArray(String[]::new));
    for (String k : keys) {
      List<String> row = new ArrayList<>(List.of(k));
      docs.forEach(d -> row.add(d.settings().getOrDefault(k, "")));
      rows.add(row.toArray(String[]::new));
    }
    return rows;
  }
}
