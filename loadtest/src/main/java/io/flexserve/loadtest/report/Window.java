package io.flexserve.loadtest.report;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The requests of a run whose intended send time falls in one window {@code [startSeconds,
 * startSeconds + width)}. Every request belongs to the window of its intended send time, whenever
 * it completed, so a window describes what happened to the load offered during it.
 *
 * @param startSeconds start of the window, seconds from the run's start
 * @param widthSeconds length of the window, seconds; positive
 * @param sent requests intended in the window
 * @param ok of those, 2xx
 * @param good of those, good (2xx within their target, or any 2xx without one)
 * @param rejected of those, 429
 * @param errors of those, other statuses, timeouts and transport errors
 * @param p50Millis median end-to-end latency of the window's 2xx, milliseconds; NaN when {@code ok}
 *     is 0
 * @param p90Millis 90th percentile, as {@code p50Millis}
 * @param p99Millis 99th percentile, as {@code p50Millis}
 * @param subnetCounts the window's 2xx per sub-network ({@link RequestRecord#qualifiedSubnet()}),
 *     by name
 * @param models per model ({@link RequestRecord#model()}): the window's requests to it and how many
 *     were good, so SLO attainment per model; by name; requests of unknown model are left out;
 *     empty in reports written before it was kept
 * @param subnets per sub-network: the window's 2xx it served and how many were good (in time), so
 *     SLO attainment per sub-network among its answers; by name; empty in older reports
 */
public record Window(
    double startSeconds,
    double widthSeconds,
    long sent,
    long ok,
    long good,
    long rejected,
    long errors,
    double p50Millis,
    double p90Millis,
    double p99Millis,
    SortedMap<String, Long> subnetCounts,
    SortedMap<String, Tally> models,
    SortedMap<String, Tally> subnets) {
  /** A window without the per-model and per-sub-network tallies. */
  public Window(
      double startSeconds,
      double widthSeconds,
      long sent,
      long ok,
      long good,
      long rejected,
      long errors,
      double p50Millis,
      double p90Millis,
      double p99Millis,
      SortedMap<String, Long> subnetCounts) {
    this(
        startSeconds,
        widthSeconds,
        sent,
        ok,
        good,
        rejected,
        errors,
        p50Millis,
        p90Millis,
        p99Millis,
        subnetCounts,
        new TreeMap<>(),
        new TreeMap<>());
  }

  public Window {
    if (!(widthSeconds > 0)) {
      throw new IllegalArgumentException("window width must be > 0 s, got " + widthSeconds);
    }
    if (ok + rejected + errors != sent || good > ok || sent < 0 || good < 0) {
      throw new IllegalArgumentException(
          "window at "
              + startSeconds
              + " s: counts do not add up (sent="
              + sent
              + " ok="
              + ok
              + " good="
              + good
              + " rejected="
              + rejected
              + " errors="
              + errors
              + ")");
    }
    subnetCounts = Collections.unmodifiableSortedMap(new TreeMap<>(subnetCounts));
    models = Collections.unmodifiableSortedMap(new TreeMap<>(models));
    subnets = Collections.unmodifiableSortedMap(new TreeMap<>(subnets));
  }

  /** SLO attainment of the window's requests to {@code model}; NaN when it had none. */
  public double modelAttainment(String model) {
    Tally t = models.get(model);
    return t == null ? Double.NaN : t.attainment();
  }

  /** Share of {@code subnet}'s 2xx in the window that were good; NaN when it served none. */
  public double subnetAttainment(String subnet) {
    Tally t = subnets.get(subnet);
    return t == null ? Double.NaN : t.attainment();
  }

  /** Good requests / sent requests, in [0, 1]; NaN when nothing was sent in the window. */
  public double attainment() {
    return sent == 0 ? Double.NaN : good / (double) sent;
  }

  /** Requests intended per second in the window: the offered load. */
  public double sentPerSecond() {
    return sent / widthSeconds;
  }

  /** 2xx per second. */
  public double throughputPerSecond() {
    return ok / widthSeconds;
  }

  /** Good requests per second. */
  public double goodputPerSecond() {
    return good / widthSeconds;
  }

  /** 429s per second. */
  public double rejectedPerSecond() {
    return rejected / widthSeconds;
  }

  /** The share of the window's 2xx served by {@code subnet}, in [0, 1]; 0 when there were none. */
  public double subnetShare(String subnet) {
    return ok == 0 ? 0 : subnetCounts.getOrDefault(subnet, 0L) / (double) ok;
  }

  /**
   * Mean quality of the window's 2xx whose sub-network has a known quality.
   *
   * @param quality quality by sub-network name
   * @return NaN when no 2xx of the window has a known quality
   */
  public double meanQuality(Map<String, Double> quality) {
    return Report.meanQuality(subnetCounts, quality);
  }
}
