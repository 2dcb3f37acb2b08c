package io.flexserve.loadtest.sweep;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.loadtest.report.JsonReport;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a sweep found.
 *
 * @param slo the attainment each probe had to reach, in (0, 1]
 * @param probes every probe, in the order run, rechecks included
 * @param highestPassing the highest rate that met the SLO; empty when even the floor failed
 * @param lowestFailing the lowest rate that missed it; empty when none did
 */
public record SweepResult(
    double slo, List<Probe> probes, OptionalDouble highestPassing, OptionalDouble lowestFailing) {
  public SweepResult {
    probes = List.copyOf(probes);
  }

  /** One line summarising the result, for the console. */
  public String summary() {
    if (highestPassing.isEmpty()) {
      return String.format(
          Locale.ROOT,
          "no rate met SLO attainment >= %.2f %%; even %.1f req/s failed",
          100 * slo,
          lowestFailing.orElse(Double.NaN));
    }
    String above =
        lowestFailing.isPresent()
            ? String.format(Locale.ROOT, " (%.1f req/s failed)", lowestFailing.getAsDouble())
            : " (the highest rate probed; no probe failed)";
    return String.format(
        Locale.ROOT,
        "highest rate meeting SLO attainment >= %.2f %%: %.1f req/s%s",
        100 * slo,
        highestPassing.getAsDouble(),
        above);
  }

  /**
   * The result as JSON: settings, each probe's key figures, and the result rates ({@code null} when
   * empty), written as {@link JsonReport} writes a report.
   *
   * @param settings labelled sweep settings, in order
   */
  public String toJson(Map<String, String> settings) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode settingsNode = root.putObject("settings");
    settings.forEach((k, v) -> settingsNode.put(k, v));
    JsonReport.putNumber(root, "slo", slo);
    ArrayNode probesNode = root.putArray("probes");
    for (Probe p : probes) {
      ObjectNode node = probesNode.addObject();
      JsonReport.putNumber(node, "ratePerSecond", p.ratePerSecond());
      node.put("sent", p.report().sent())
          .put("ok", p.report().ok())
          .put("rejected429", p.report().rejected());
      JsonReport.putNumber(node, "sloAttainment", p.report().sloAttainment());
      JsonReport.putNumber(node, "goodputPerSecond", p.report().goodputPerSecond());
      JsonReport.putNumber(node, "throughputPerSecond", p.report().throughputPerSecond());
      JsonReport.putNumber(node, "p99Ms", p.report().latency().p99Millis());
      JsonReport.putNumber(node, "meanQuality", p.report().meanQuality());
      node.put("passed", p.passed()).put("recheck", p.recheck());
    }
    JsonReport.putNumber(root, "highestPassingRatePerSecond", highestPassing.orElse(Double.NaN));
    JsonReport.putNumber(root, "lowestFailingRatePerSecond", lowestFailing.orElse(Double.NaN));
    return JsonReport.write(root);
  }
}
