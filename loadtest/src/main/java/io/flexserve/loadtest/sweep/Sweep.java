package io.flexserve.loadtest.sweep;

import io.flexserve.loadtest.report.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * Runs a {@link RateSearch} with real probes: each probe is one open-loop run at a rate, judged
 * against the SLO, with a cool-down before every probe after the first so the server's queue drains
 * between them.
 *
 * <p>With rechecks, a rate whose probe fails is probed once more and judged on the requests of both
 * probes together. On a noisy machine one stall can fail a short probe at a rate far below the
 * server's capacity, and the search, which assumes passing is monotone in the rate, then never
 * looks above it. A rate that is really too high fails both.
 */
public final class Sweep {
  /** Runs one probe at a rate and returns its report. */
  @FunctionalInterface
  public interface ProbeRunner {
    Report run(double ratePerSecond) throws Exception;
  }

  private Sweep() {}

  /**
   * Searches for the highest rate whose SLO attainment is at least {@code slo}.
   *
   * @param search the search, fresh
   * @param slo required attainment, in (0, 1]
   * @param runner runs each probe
   * @param cooldown pause before each probe after the first
   * @param recheckFailures whether a failed rate is probed once more and judged on both probes
   * @param progress receives one line per probe
   * @return every probe and the result
   * @throws Exception whatever the runner throws; the sweep stops there
   */
  public static SweepResult run(
      RateSearch search,
      double slo,
      ProbeRunner runner,
      Duration cooldown,
      boolean recheckFailures,
      Consumer<String> progress)
      throws Exception {
    if (!(slo > 0 && slo <= 1)) {
      throw new IllegalArgumentException("slo must be in (0, 1], got " + slo);
    }
    List<Probe> probes = new ArrayList<>();
    for (OptionalDouble next = search.next(); next.isPresent(); next = search.next()) {
      double rate = next.getAsDouble();
      Probe probe = probe(rate, runner, slo, cooldown, probes, progress, null);
      if (!probe.passed() && recheckFailures) {
        probe = probe(rate, runner, slo, cooldown, probes, progress, probe.report());
      }
      search.record(rate, probe.passed());
    }
    return new SweepResult(slo, probes, search.highestPassing(), search.lowestFailing());
  }

  /** Runs one probe, adds it to {@code probes} and reports it; {@code first}: the failed one. */
  private static Probe probe(
      double rate,
      ProbeRunner runner,
      double slo,
      Duration cooldown,
      List<Probe> probes,
      Consumer<String> progress,
      Report first)
      throws Exception {
    if (!probes.isEmpty() && !cooldown.isZero()) {
      Thread.sleep(cooldown.toMillis());
    }
    Report report = runner.run(rate);
    long sent = report.sent();
    long good = report.good();
    if (first != null) {
      sent += first.sent();
      good += first.good();
    }
    double attainment = sent > 0 ? good / (double) sent : 0;
    boolean passed = sent > 0 && attainment >= slo;
    Probe probe = new Probe(rate, report, passed, first != null);
    probes.add(probe);
    progress.accept(
        String.format(
                Locale.ROOT,
                "probe %2d  %8.1f req/s  sent %6d  attainment %7.2f %%  goodput %8.1f/s  p99 %8.2f ms  429 %5d  %s",
                probes.size(),
                rate,
                report.sent(),
                100 * report.sloAttainment(),
                report.goodputPerSecond(),
                report.latency().p99Millis(),
                report.rejected(),
                passed ? "pass" : "FAIL")
            + (first == null
                ? ""
                : String.format(
                    Locale.ROOT, "  (recheck: %.2f %% over both probes)", 100 * attainment)));
    return probe;
  }
}
