package io.flexserve.loadtest.sweep;

import io.flexserve.loadtest.json.JsonWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a sweep found.
 *
 * @param slo the attainment each probe had to reach, in (0, 1]
 * @param probes every probe, in the order run
 * @param highestPassing the highest rate whose probe met the SLO; empty when even the floor failed
 * @param lowestFailing the lowest rate whose probe missed it; empty when none did
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
   * empty).
   *
   * @param settings labelled sweep settings, in order
   */
  public String toJson(Map<String, String> settings) {
    JsonWriter json = new JsonWriter().beginObject();
    json.name("settings").beginObject();
    settings.forEach((k, v) -> json.name(k).value(v));
    json.endObject();
    json.name("slo").value(slo);
    json.name("probes").beginArray();
    for (Probe p : probes) {
      json.beginObject()
          .name("ratePerSecond")
          .value(p.ratePerSecond())
          .name("sent")
          .value(p.report().sent())
          .name("ok")
          .value(p.report().ok())
          .name("rejected429")
          .value(p.report().rejected())
          .name("sloAttainment")
          .value(p.report().sloAttainment())
          .name("goodputPerSecond")
          .value(p.report().goodputPerSecond())
          .name("throughputPerSecond")
          .value(p.report().throughputPerSecond())
          .name("p99Ms")
          .value(p.report().latency().p99Millis())
          .name("meanQuality")
          .value(p.report().meanQuality())
          .name("passed")
          .value(p.passed())
          .endObject();
    }
    json.endArray();
    json.name("highestPassingRatePerSecond").value(highestPassing.orElse(Double.NaN));
    json.name("lowestFailingRatePerSecond").value(lowestFailing.orElse(Double.NaN));
    return json.endObject().toJson();
  }
}
