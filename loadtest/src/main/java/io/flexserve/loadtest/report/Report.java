package io.flexserve.loadtest.report;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a run achieved: how many requests per second were served, how many of them were good, how
 * fast, and by which sub-networks, in total and over time.
 *
 * <p>A request is <em>good</em> when it received a 2xx response and, if it carried a latency
 * target, its client-measured end-to-end latency was at most that target. Everything else (429s,
 * other statuses, timeouts, transport errors and late 2xx) counts against the SLO. Each request is
 * judged against its own target, so runs with a target distribution are judged correctly.
 *
 * <p><b>Why one file of 400 lines.</b> It is one value: the record's components, each documented
 * here, are what JSON, CSV, console and HTML render, and the nested records are its parts.
 *
 * @param sent requests sent (all records)
 * @param statusCounts requests per HTTP status code, ascending; requests without a status are not
 *     in it
 * @param ok requests with a 2xx status
 * @param rejected requests shed with 429
 * @param httpErrors requests with any other status
 * @param timeouts requests with no response within the per-request timeout
 * @param transportErrors requests that failed without a status
 * @param targeted requests that carried a latency target
 * @param targetMinMillis smallest target carried, milliseconds; NaN when {@code targeted} is 0
 * @param targetMaxMillis largest target carried, milliseconds; NaN when {@code targeted} is 0
 * @param good good requests (see above)
 * @param serverVerdicts 2xx responses that carried {@code X-Deadline-Met}
 * @param serverMet of those, how many said {@code true}
 * @param durationSeconds from the run's start to the last completion, seconds; 0 for an empty run
 * @param throughputPerSecond {@code ok / durationSeconds}: achieved throughput; 0 for an empty run
 * @param goodputPerSecond {@code good / durationSeconds}; 0 for an empty run
 * @param sloAttainment {@code good / sent}, in [0, 1]; NaN for an empty run
 * @param latency end-to-end latency (from the intended send time) of the 2xx requests
 * @param service service time (from the actual send) of the 2xx requests
 * @param maxSendLagMillis the longest delay between a request's intended and actual send, over all
 *     requests; a large value means the load generator, not the server, fell behind
 * @param subnetCounts 2xx requests per {@code X-Subnet} value, by name; responses without the
 *     header are left out
 * @param errorKinds timeouts and transport errors per exception class (the part of {@link
 *     RequestRecord#error()} before the first colon), by name
 * @param subnetQuality quality of each sub-network (mean cosine similarity to the full model, from
 *     the server's {@code /v1/models}), by name; empty when unknown
 * @param windows the run in windows of {@link #WINDOW_SECONDS} by intended send time, from 0 up to
 *     the window of the last request, consecutive; empty for an empty run
 * @param endpoints the same per endpoint kind ({@link RequestRecord#endpoint()}), with TTFT and
 *     inter-token times for streams; by label
 * @param sendLag the load generator's send lag (actual minus intended send time) over all requests
 *     that were handed to a connection; count 0 in reports written before it was kept
 * @param latencyCdf the distribution of the 2xx end-to-end latencies at fixed fractions ({@link
 *     #CDF_FRACTIONS}), ascending; empty for a run without 2xx or an older report
 * @param generator what the load generator cost while sending; {@link GeneratorCost#UNKNOWN} when
 *     not measured
 */
public record Report(
    long sent,
    SortedMap<Integer, Long> statusCounts,
    long ok,
    long rejected,
    long httpErrors,
    long timeouts,
    long transportErrors,
    long targeted,
    double targetMinMillis,
    double targetMaxMillis,
    long good,
    long serverVerdicts,
    long serverMet,
    double durationSeconds,
    double throughputPerSecond,
    double goodputPerSecond,
    double sloAttainment,
    LatencySummary latency,
    LatencySummary service,
    double maxSendLagMillis,
    SortedMap<String, Long> subnetCounts,
    SortedMap<String, Long> errorKinds,
    SortedMap<String, Double> subnetQuality,
    List<Window> windows,
    SortedMap<String, EndpointStats> endpoints,
    LatencySummary sendLag,
    List<CdfPoint> latencyCdf,
    GeneratorCost generator) {
  /** Width of the time-series windows, seconds. */
  public static final double WINDOW_SECONDS = 1.0;

  /** The fractions at which {@link #latencyCdf} is kept: every percent, then the tail. */
  public static final double[] CDF_FRACTIONS = cdfFractions();

  private static double[] cdfFractions() {
    double[] tail = {0.995, 0.999, 0.9995, 0.9999, 1.0};
    double[] out = new double[100 + tail.length];
    for (int i = 0; i < 100; i++) {
      out[i] = i / 100.0;
    }
    System.arraycopy(tail, 0, out, 100, tail.length);
    return out;
  }

  public Report {
    endpoints = Collections.unmodifiableSortedMap(new TreeMap<>(endpoints));
    Objects.requireNonNull(sendLag, "sendLag");
    Objects.requireNonNull(generator, "generator");
    latencyCdf = List.copyOf(latencyCdf);
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(service, "service");
    statusCounts = Collections.unmodifiableSortedMap(new TreeMap<>(statusCounts));
    subnetCounts = Collections.unmodifiableSortedMap(new TreeMap<>(subnetCounts));
    errorKinds = Collections.unmodifiableSortedMap(new TreeMap<>(errorKinds));
    subnetQuality = Collections.unmodifiableSortedMap(new TreeMap<>(subnetQuality));
    windows = List.copyOf(windows);
    if (ok + rejected + httpErrors + timeouts + transportErrors != sent) {
      throw new IllegalArgumentException("outcome counts do not add up to sent=" + sent);
    }
    if (good > ok || serverMet > serverVerdicts || targeted > sent) {
      throw new IllegalArgumentException(
          "need good <= ok, serverMet <= serverVerdicts and targeted <= sent; got good="
              + good
              + " ok="
              + ok
              + " serverMet="
              + serverMet
              + " serverVerdicts="
              + serverVerdicts
              + " targeted="
              + targeted
              + " sent="
              + sent);
    }
    if (windows.stream().mapToLong(Window::sent).sum() != sent) {
      throw new IllegalArgumentException(
          "windows hold "
              + windows.stream().mapToLong(Window::sent).sum()
              + " requests, not sent="
              + sent);
    }
  }

  /**
   * Computes the report of a run. A pure function: it reads no clock and keeps no reference to
   * {@code records}.
   *
   * @param records every request of the run, in any order
   * @param subnetQuality quality by sub-network name; empty when unknown
   * @return the report
   */
  public static Report of(List<RequestRecord> records, Map<String, Double> subnetQuality) {
    return ReportCalculator.compute(records, subnetQuality);
  }

  /** {@link #of(List, Map)} without sub-network qualities. */
  public static Report of(List<RequestRecord> records) {
    return of(records, Map.of());
  }

  /** This report with the generator's measured cost. */
  public Report withGenerator(GeneratorCost cost) {
    return new Report(
        sent,
        statusCounts,
        ok,
        rejected,
        httpErrors,
        timeouts,
        transportErrors,
        targeted,
        targetMinMillis,
        targetMaxMillis,
        good,
        serverVerdicts,
        serverMet,
        durationSeconds,
        throughputPerSecond,
        goodputPerSecond,
        sloAttainment,
        latency,
        service,
        maxSendLagMillis,
        subnetCounts,
        errorKinds,
        subnetQuality,
        windows,
        endpoints,
        sendLag,
        latencyCdf,
        cost);
  }

  /** Whether any request went to a generation endpoint (completions or chat). */
  public boolean hasGeneration() {
    return endpoints.keySet().stream().anyMatch(k -> !k.equals(RequestRecord.EMBEDDINGS));
  }

  /**
   * Requests that did not get a usable answer: other statuses, timeouts and transport errors (not
   * 429s).
   */
  public long errors() {
    return httpErrors + timeouts + transportErrors;
  }

  /** The fraction of 2xx requests served by {@code subnet}, in [0, 1]; 0 when there were none. */
  public double subnetShare(String subnet) {
    return ok == 0 ? 0 : subnetCounts.getOrDefault(subnet, 0L) / (double) ok;
  }

  /** Whether every targeted request carried the same target (false when none had one). */
  public boolean singleTarget() {
    return targeted > 0 && targetMinMillis == targetMaxMillis;
  }

  /**
   * Mean quality of the 2xx responses whose sub-network has a known quality, in [0, 1], when they
   * all belong to one model; NaN when none has a known quality, or when several models have (each
   * model's quality measures something different: cosine similarity of embeddings, agreement of
   * generated tokens; see {@link #meanQualityByModel()}).
   */
  public double meanQuality() {
    Map<String, Double> byModel = meanQualityByModel();
    return byModel.size() == 1 ? byModel.values().iterator().next() : Double.NaN;
  }

  /**
   * Mean quality of the 2xx per model (the part of the sub-network name before its last {@code /};
   * the empty string for sub-networks not named per model), over the responses whose sub-network
   * has a known quality; models without any are left out.
   */
  public SortedMap<String, Double> meanQualityByModel() {
    List<String> models = models();
    Map<String, Map<String, Long>> byModel = new TreeMap<>();
    subnetCounts.forEach(
        (subnet, n) ->
            byModel
                .computeIfAbsent(modelOfSubnet(subnet, models), k -> new TreeMap<>())
                .put(subnet, n));
    SortedMap<String, Double> out = new TreeMap<>();
    byModel.forEach(
        (model, counts) -> {
          double q = meanQuality(counts, subnetQuality);
          if (!Double.isNaN(q)) {
            out.put(model, q);
          }
        });
    return out;
  }

  /**
   * The model a sub-network name ({@link RequestRecord#qualifiedSubnet()}) belongs to: the longest
   * of {@code models} that it starts with, followed by {@code /}; empty when none (a name not
   * qualified by a model). Matching known models, rather than splitting at a {@code /}, keeps names
   * apart whatever characters models and sub-networks use.
   */
  public static String modelOfSubnet(String subnet, List<String> models) {
    String best = "";
    for (String m : models) {
      if (m.length() > best.length() && subnet.startsWith(m + "/")) {
        best = m;
      }
    }
    return best;
  }

  /** The models named in the windows' per-model tallies, in name order. */
  public List<String> models() {
    return windows.stream().flatMap(w -> w.models().keySet().stream()).distinct().sorted().toList();
  }

  /** Sub-network names: best quality first when known, then by name. */
  public List<String> subnetOrder() {
    return subnetOrder(subnetCounts.keySet(), subnetQuality);
  }

  static double meanQuality(Map<String, Long> counts, Map<String, Double> quality) {
    double sum = 0;
    long n = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      Double q = quality.get(e.getKey());
      if (q != null) {
        sum += q * e.getValue();
        n += e.getValue();
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * Orders sub-network names best quality first (unknown quality last), ties and unknowns by name.
   */
  public static List<String> subnetOrder(
      java.util.Collection<String> names, Map<String, Double> quality) {
    return names.stream()
        .distinct()
        .sorted(
            (a, b) -> {
              double qa = quality.getOrDefault(a, Double.NEGATIVE_INFINITY);
              double qb = quality.getOrDefault(b, Double.NEGATIVE_INFINITY);
              return qa != qb ? Double.compare(qb, qa) : a.compareTo(b);
            })
        .toList();
  }
}
