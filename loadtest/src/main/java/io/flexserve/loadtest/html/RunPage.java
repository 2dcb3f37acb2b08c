package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.html.Html.fmt;
import static io.flexserve.loadtest.html.Html.num;
import static io.flexserve.loadtest.html.Html.percent;

import io.flexserve.loadtest.report.CdfPoint;
import io.flexserve.loadtest.report.LatencySummary;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.ReportDocument;
import io.flexserve.loadtest.report.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The HTML report of one run: key figures, charts over time, and the summary tables. */
final class RunPage {
  private static final String X_TITLE = "seconds since start (by intended send time)";

  private RunPage() {}

  static String render(ReportDocument doc) {
    Report r = doc.report();
    Map<String, String> settings = doc.settings();
    String title =
        settings.containsKey("label")
            ? "flexserve load test: " + settings.get("label")
            : "flexserve load test";
    Page page =
        new Page(
            title,
            String.join(
                " \u00b7 ",
                settings.getOrDefault("arrival", "run"),
                "target " + settings.getOrDefault("latency target", "none"),
                settings.getOrDefault("url", "")));
    page.tiles(
        List.of(
            new String[] {percent(r.sloAttainment()), "SLO attainment (good / sent)"},
            new String[] {num(r.goodputPerSecond(), 1) + " /s", "goodput"},
            new String[] {num(r.throughputPerSecond(), 1) + " /s", "throughput (2xx)"},
            new String[] {num(r.latency().p99Millis(), 1) + " ms", "p99 end-to-end latency"},
            new String[] {Long.toString(r.rejected()), "429 rejected of " + r.sent() + " sent"},
            qualityTile(r)));

    List<Window> ws = r.windows();
    double[] x = centres(ws);
    page.heading("Over time").openGrid();
    LineChart latency =
        new LineChart("latency percentiles per second", "ms", X_TITLE)
            .add(new LineChart.Series("p50", Palette.BLUE, x, values(ws, Window::p50Millis), false))
            .add(
                new LineChart.Series(
                    "p90", Palette.ORANGE, x, values(ws, Window::p90Millis), false))
            .add(
                new LineChart.Series(
                    "p99", Palette.VERMILLION, x, values(ws, Window::p99Millis), false));
    if (r.singleTarget()) {
      latency.reference(r.targetMinMillis(), "target " + num(r.targetMinMillis(), 1) + " ms");
    }
    page.figure(
        "End-to-end latency of 2xx, per second",
        latency.svg(),
        "p50, p90 and p99 of the 2xx responses to the requests intended in each second, measured from the "
            + "intended send time.");
    page.figure(
        "SLO attainment",
        new LineChart("SLO attainment per second", "%", X_TITLE)
            .yRange(0, 100)
            .add(
                new LineChart.Series(
                    "attainment", Palette.GREEN, x, values(ws, w -> 100 * w.attainment()), false))
            .svg(),
        "Good requests / requests sent in each second; 429s, errors, timeouts and late answers are failures.");
    attainmentBy(
        page,
        x,
        ws,
        r.models(),
        Window::modelAttainment,
        "model",
        "Good requests / requests sent to each model in each second (429s, errors and late answers fail).");
    attainmentBy(
        page,
        x,
        ws,
        r.subnetOrder(),
        Window::subnetAttainment,
        "sub-network",
        "Of each sub-network's 2xx in each second, the share that arrived within its target. Requests that were refused or failed have no sub-network; the model chart counts them.");
    page.figure(
        "Throughput and goodput",
        new LineChart("rates per second", "req/s", X_TITLE)
            .add(
                new LineChart.Series(
                    "offered (sent)", Palette.GREY, x, values(ws, Window::sentPerSecond), true))
            .add(
                new LineChart.Series(
                    "throughput (2xx)",
                    Palette.BLUE,
                    x,
                    values(ws, Window::throughputPerSecond),
                    false))
            .add(
                new LineChart.Series(
                    "goodput", Palette.GREEN, x, values(ws, Window::goodputPerSecond), false))
            .svg(),
        "Of the requests intended in each second: how many were sent, answered 2xx, and good.");
    page.figure(
        "429 rejections",
        new LineChart("429 per second", "req/s", X_TITLE)
            .add(
                new LineChart.Series(
                    "429", Palette.VERMILLION, x, values(ws, Window::rejectedPerSecond), false))
            .svg(),
        "Requests shed by admission control (queue full, or a strict target the server cannot meet).");
    List<String> subnets = r.subnetOrder();
    List<String> colors = subnetColors(subnets);
    List<BarChart.Bar> shares = new ArrayList<>();
    for (Window w : ws) {
      double[] v = new double[subnets.size()];
      for (int s = 0; s < subnets.size(); s++) {
        v[s] = w.subnetShare(subnets.get(s));
      }
      shares.add(new BarChart.Bar(fmt("%.0f", w.startSeconds()), v));
    }
    page.figure(
        "Sub-network share of 2xx",
        BarChart.stacked("sub-network share per second", subnets, colors, shares, X_TITLE),
        "Which sub-network answered, per second; most accurate at the bottom when the "
            + "server reported qualities.");
    if (!r.meanQualityByModel().isEmpty()) {
      // one line per model: each model's quality measures something of its own
      LineChart quality = new LineChart("mean quality per second", "quality", X_TITLE).yRange(0, 1);
      List<String> models = r.models();
      int i = 0;
      for (String model : r.meanQualityByModel().keySet()) {
        Map<String, Double> own = new java.util.TreeMap<>();
        r.subnetQuality()
            .forEach(
                (subnet, q) -> {
                  if (Report.modelOfSubnet(subnet, models).equals(model)) {
                    own.put(subnet, q);
                  }
                });
        quality.add(
            new LineChart.Series(
                model.isEmpty() ? "mean quality" : model,
                i == 0 ? Palette.PURPLE : Palette.nth(i),
                x,
                values(ws, w -> w.meanQuality(own)),
                false));
        i++;
      }
      page.figure(
          "Mean quality of 2xx",
          quality.svg(),
          "Per model, the mean of each answering sub-network's quality (1 = the full model). Models are not"
              + " averaged together: an encoder's cosine similarity and an LLM's token agreement are different"
              + " measures.");
    }
    if (!r.latencyCdf().isEmpty()) {
      double[] ms = r.latencyCdf().stream().mapToDouble(CdfPoint::millis).toArray();
      double[] pct = r.latencyCdf().stream().mapToDouble(p -> 100 * p.fraction()).toArray();
      LineChart cdf =
          new LineChart(
                  "latency distribution of 2xx", "% of 2xx at or below", "end-to-end latency, ms")
              .yRange(0, 100)
              .add(new LineChart.Series("2xx", Palette.BLUE, ms, pct, false));
      page.figure(
          "Latency CDF",
          cdf.svg(),
          "The share of all 2xx answers (y) whose end-to-end latency was at most x, over the whole run; from the same"
              + " HdrHistogram as the percentiles. A target left of the curve's top is missed by the requests above it.");
    }
    page.closeGrid();

    page.heading("Summary").openTables();
    page.table(Tables.requests(r));
    page.table(Tables.rates(r), 1);
    page.table(Tables.subnets(r, subnets), colors);
    page.table(latencyTable(r));
    List<String[]> run = new ArrayList<>();
    run.add(new String[] {"setting", "value"});
    settings.forEach((k, v) -> run.add(new String[] {k, v}));
    page.table(run, 1);
    page.closeTables();
    if (r.hasGeneration()) {
      page.heading("Per endpoint").openTables();
      page.table(io.flexserve.loadtest.report.EndpointTable.counts(r), 0, 6);
      List<String[]> streams = io.flexserve.loadtest.report.EndpointTable.streaming(r);
      if (streams.size() > 1) {
        page.table(streams, 0);
      }
      page.closeTables();
    }
    page.heading("How to read this report").notes(Tables.NOTES);
    return page.html();
  }

  // Mean quality of the 2xx: one model's value, or each model's (they measure different things).
  private static String[] qualityTile(Report r) {
    Map<String, Double> byModel = r.meanQualityByModel();
    if (byModel.size() <= 1) {
      return new String[] {num(r.meanQuality(), 3), "mean quality of 2xx"};
    }
    List<String> parts = new ArrayList<>();
    byModel.forEach((model, q) -> parts.add(num(q, 3)));
    return new String[] {
      String.join(" / ", parts), "mean quality of 2xx: " + String.join(" / ", byModel.keySet())
    };
  }

  // One line per name: SLO attainment per second; nothing when there are no names (older reports).
  private static void attainmentBy(
      Page page,
      double[] x,
      List<Window> ws,
      List<String> names,
      java.util.function.BiFunction<Window, String, Double> attainment,
      String what,
      String caption) {
    if (names.isEmpty()) {
      return;
    }
    LineChart chart =
        new LineChart("SLO attainment per second, by " + what, "%", X_TITLE).yRange(0, 100);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      chart.add(
          new LineChart.Series(
              name, Palette.nth(i), x, values(ws, w -> 100 * attainment.apply(w, name)), false));
    }
    page.figure("SLO attainment by " + what, chart.svg(), caption);
  }

  static List<String> subnetColors(List<String> subnets) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < subnets.size(); i++) {
      out.add(Palette.nth(i));
    }
    return out;
  }

  static double[] centres(List<Window> ws) {
    double[] out = new double[ws.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ws.get(i).startSeconds() + ws.get(i).widthSeconds() / 2;
    }
    return out;
  }

  static double[] values(List<Window> ws, ToDoubleFunction<Window> f) {
    double[] out = new double[ws.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(ws.get(i));
    }
    return out;
  }

  private static List<String[]> latencyTable(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"latency of 2xx, ms", "p50", "p90", "p95", "p99", "max", "mean"});
    rows.add(latencyRow("end-to-end", r.latency()));
    rows.add(latencyRow("service", r.service()));
    return rows;
  }

  private static String[] latencyRow(String label, LatencySummary s) {
    return new String[] {
      label,
      num(s.p50Millis(), 2),
      num(s.p90Millis(), 2),
      num(s.p95Millis(), 2),
      num(s.p99Millis(), 2),
      num(s.maxMillis(), 2),
      num(s.meanMillis(), 2)
    };
  }
}
