package io.flexserve.loadtest.sweep;

import io.flexserve.loadtest.report.Report;
import java.util.Objects;

/**
 * One probe of a sweep: an open-loop run at one arrival rate, and whether it met the SLO.
 *
 * @param ratePerSecond the Poisson arrival rate probed, requests per second
 * @param report the probe's report
 * @param passed whether {@code report.sloAttainment() >= slo}; a probe that sent nothing fails. For
 *     a recheck, the verdict on both probes at this rate together
 * @param recheck whether this is the second probe at a rate whose first probe failed
 */
public record Probe(double ratePerSecond, Report report, boolean passed, boolean recheck) {
  public Probe {
    Objects.requireNonNull(report, "report");
  }
}
