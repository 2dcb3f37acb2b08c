package io.flexserve.loadtest.html;

import static io.flexserve.loadtest.html.Html.fmt;
import static io.flexserve.loadtest.html.Html.num;
import static io.flexserve.loadtest.html.Html.percent;

import io.flexserve.loadtest.report.Report;
import java.util.ArrayList;
import java.util.List;

/** Summary tables and reading notes shared by the run and compare pages. */
final class Tables {
  static final List<String> NOTES =
      List.of(
          "Open loop: every request has an intended send time fixed before the run; latency is measured from that "
              + "time, so a stall is charged to every request scheduled during it (no coordinated omission).",
          "A request is good when it got a 2xx and its end-to-end latency was at most its own latency target "
              + "(any 2xx when it had none). SLO attainment = good / sent; goodput = good per second.",
          "Charts over time put each request in the 1-second window of its intended send time, whenever it "
              + "completed; the last window may be partial. Gaps in a line mean the window had no such request.",
          "Server says met counts X-Deadline-Met: true headers; the server times queue + inference only, the "
              + "client's clock also includes HTTP and tokenisation, so the client's verdict decides.",
          "Quality is each sub-network's mean cosine similarity to the full model's embeddings, as the server's "
              + "/v1/models reports it; mean quality averages it over the 2xx responses.",
          "Per endpoint: TTFT is from a request's intended send time to the first stream chunk that carries text; "
              + "ITL (inter-token latency) is the time between consecutive text chunks of a stream, pooled over "
              + "the streams of that kind; server met counts X-Deadline-Met or the last chunk's "
              + "flexserve.deadline_met.",
          "A large max send lag means the load generator itself fell behind; repeat the run at a lower rate or "
              + "on a quieter machine.");

  private Tables() {}

  static List<String[]> requests(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"requests", "count"});
    rows.add(new String[] {"sent", Long.toString(r.sent())});
    rows.add(new String[] {"2xx", Long.toString(r.ok())});
    rows.add(new String[] {"good", Long.toString(r.good())});
    rows.add(new String[] {"429 rejected", Long.toString(r.rejected())});
    rows.add(new String[] {"other status", Long.toString(r.httpErrors())});
    rows.add(new String[] {"timeouts", Long.toString(r.timeouts())});
    rows.add(new String[] {"transport errors", Long.toString(r.transportErrors())});
    rows.add(new String[] {"with a target", Long.toString(r.targeted())});
    if (r.serverVerdicts() > 0) {
      rows.add(new String[] {"server says met", r.serverMet() + " of " + r.serverVerdicts()});
    }
    r.statusCounts()
        .forEach((status, n) -> rows.add(new String[] {"status " + status, Long.toString(n)}));
    r.errorKinds().forEach((kind, n) -> rows.add(new String[] {kind, Long.toString(n)}));
    return rows;
  }

  static List<String[]> rates(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"rates", "value"});
    rows.add(new String[] {"duration", num(r.durationSeconds(), 2) + " s"});
    rows.add(new String[] {"throughput", num(r.throughputPerSecond(), 1) + " req/s"});
    rows.add(new String[] {"goodput", num(r.goodputPerSecond(), 1) + " req/s"});
    rows.add(new String[] {"SLO attainment", percent(r.sloAttainment())});
    rows.add(
        new String[] {
          "targets",
          r.targeted() == 0
              ? "none"
              : r.singleTarget()
                  ? num(r.targetMinMillis(), 1) + " ms"
                  : num(r.targetMinMillis(), 1) + " .. " + num(r.targetMaxMillis(), 1) + " ms"
        });
    if (r.meanQualityByModel().isEmpty()) {
      rows.add(new String[] {"mean quality", num(Double.NaN, 4)});
    }
    r.meanQualityByModel()
        .forEach(
            (model, q) ->
                rows.add(
                    new String[] {
                      model.isEmpty() ? "mean quality" : "mean quality " + model, num(q, 4)
                    }));
    rows.add(new String[] {"max send lag", num(r.maxSendLagMillis(), 2) + " ms"});
    for (String[] g : io.flexserve.loadtest.report.GeneratorTable.rows(r)) {
      rows.add(new String[] {"generator " + g[0], g[1]});
    }
    return rows;
  }

  static List<String[]> subnets(Report r, List<String> order) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"sub-network", "2xx", "share", "quality"});
    for (String subnet : order) {
      Double q = r.subnetQuality().get(subnet);
      rows.add(
          new String[] {
            subnet,
            Long.toString(r.subnetCounts().get(subnet)),
            fmt("%.1f %%", 100 * r.subnetShare(subnet)),
            q == null ? "\u2013" : num(q, 4)
          });
    }
    if (order.isEmpty()) {
      rows.add(new String[] {"none", "", "", ""});
    }
    return rows;
  }
}
