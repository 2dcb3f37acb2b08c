package io.flexserve.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The arithmetic behind {@link Report#of}: one pass over the records for the totals, one for the
 * windows.
 */
final class ReportCalculator {
  private ReportCalculator() {}

  static Report compute(List<RequestRecord> records, Map<String, Double> subnetQuality) {
    TreeMap<Integer, Long> statusCounts = new TreeMap<>();
    TreeMap<String, Long> subnetCounts = new TreeMap<>();
    TreeMap<String, Long> errorKinds = new TreeMap<>();
    long[] byOutcome = new long[Outcome.values().length];
    long good = 0;
    long targeted = 0;
    double targetMin = Double.NaN;
    double targetMax = Double.NaN;
    long serverVerdicts = 0;
    long serverMet = 0;
    long lastCompletionNanos = 0;
    long maxSendLagNanos = 0;
    Histogram latency = LatencySummary.newMicrosHistogram();
    Histogram service = LatencySummary.newMicrosHistogram();
    Histogram sendLag = LatencySummary.newMicrosHistogram();

    for (RequestRecord r : records) {
      byOutcome[r.outcome().ordinal()]++;
      lastCompletionNanos = Math.max(lastCompletionNanos, r.completedNanos());
      maxSendLagNanos = Math.max(maxSendLagNanos, r.sendLagNanos());
      if (r.serviceNanos() > 0) {
        // a request with no service time never reached a connection: its lag is not the sender's
        LatencySummary.recordNanos(sendLag, r.sendLagNanos());
      }
      if (r.hasTarget()) {
        targeted++;
        targetMin =
            Double.isNaN(targetMin) ? r.targetMillis() : Math.min(targetMin, r.targetMillis());
        targetMax =
            Double.isNaN(targetMax) ? r.targetMillis() : Math.max(targetMax, r.targetMillis());
      }
      if (r.outcome().hasStatus()) {
        statusCounts.merge(r.status(), 1L, Long::sum);
      } else {
        int colon = r.error().indexOf(':');
        String kind = colon < 0 ? r.error() : r.error().substring(0, colon);
        errorKinds.merge(kind.isEmpty() ? r.outcome().name() : kind, 1L, Long::sum);
      }
      if (r.outcome() != Outcome.OK) {
        continue;
      }
      LatencySummary.recordNanos(latency, r.latencyNanos());
      LatencySummary.recordNanos(service, r.serviceNanos());
      if (r.good()) {
        good++;
      }
      if (r.deadlineVerdict() != DeadlineVerdict.NOT_REPORTED) {
        serverVerdicts++;
        if (r.deadlineVerdict() == DeadlineVerdict.MET) {
          serverMet++;
        }
      }
      if (!r.subnet().isEmpty()) {
        subnetCounts.merge(r.qualifiedSubnet(), 1L, Long::sum);
      }
    }

    long sent = records.size();
    long ok = byOutcome[Outcome.OK.ordinal()];
    double seconds = lastCompletionNanos / 1e9;
    return new Report(
        sent,
        statusCounts,
        ok,
        byOutcome[Outcome.REJECTED.ordinal()],
        byOutcome[Outcome.HTTP_ERROR.ordinal()],
        byOutcome[Outcome.TIMEOUT.ordinal()],
        byOutcome[Outcome.TRANSPORT_ERROR.ordinal()],
        targeted,
        targetMin,
        targetMax,
        good,
        serverVerdicts,
        serverMet,
        seconds,
        perSecond(ok, seconds),
        perSecond(good, seconds),
        sent == 0 ? Double.NaN : good / (double) sent,
        LatencySummary.of(latency),
        LatencySummary.of(service),
        maxSendLagNanos / 1e6,
        subnetCounts,
        errorKinds,
        new TreeMap<>(subnetQuality),
        windows(records),
        endpoints(records),
        LatencySummary.of(sendLag),
        LatencySummary.cdf(latency),
        GeneratorCost.UNKNOWN);
  }

  private static final class EndpointAccumulator {
    long sent;
    long ok;
    long rejected;
    long errors;
    long good;
    long verdicts;
    long met;
    long tokens;
    final Histogram latency = LatencySummary.newMicrosHistogram();
    final Histogram ttft = LatencySummary.newMicrosHistogram();
    final Histogram interToken = LatencySummary.newMicrosHistogram();
  }

  private static TreeMap<String, EndpointStats> endpoints(List<RequestRecord> records) {
    TreeMap<String, EndpointAccumulator> acc = new TreeMap<>();
    for (RequestRecord r : records) {
      EndpointAccumulator a = acc.computeIfAbsent(r.endpoint(), k -> new EndpointAccumulator());
      a.sent++;
      switch (r.outcome()) {
        case OK -> a.ok++;
        case REJECTED -> a.rejected++;
        default -> a.errors++;
      }
      if (r.outcome() != Outcome.OK) {
        continue;
      }
      a.good += r.good() ? 1 : 0;
      if (r.deadlineVerdict() != DeadlineVerdict.NOT_REPORTED) {
        a.verdicts++;
        a.met += r.deadlineVerdict() == DeadlineVerdict.MET ? 1 : 0;
      }
      LatencySummary.recordNanos(a.latency, r.latencyNanos());
      GenerationRecord g = r.generation();
      a.tokens += Math.max(0, g.tokens());
      if (!Double.isNaN(g.ttftMillis())) {
        LatencySummary.recordNanos(a.ttft, Math.round(g.ttftMillis() * 1e6));
      }
      for (int i = 0; i < g.interTokenCount(); i++) {
        LatencySummary.recordNanos(a.interToken, Math.round(g.interTokenMillis(i) * 1e6));
      }
    }
    TreeMap<String, EndpointStats> out = new TreeMap<>();
    acc.forEach(
        (k, a) ->
            out.put(
                k,
                new EndpointStats(
                    a.sent,
                    a.ok,
                    a.rejected,
                    a.errors,
                    a.good,
                    a.verdicts,
                    a.met,
                    LatencySummary.of(a.latency),
                    LatencySummary.of(a.ttft),
                    LatencySummary.of(a.interToken),
                    a.tokens)));
    return out;
  }

  // Buckets by intended send time; windows with no request in them are kept (zero counts) so the
  // series is regular.
  // Window percentiles are exact nearest-rank values over a sorted slice of the window's 2xx
  // latencies: one long per
  // 2xx in total, where a histogram per window would cost kilobytes each.
  private static List<Window> windows(List<RequestRecord> records) {
    long widthNanos = Math.round(Report.WINDOW_SECONDS * 1e9);
    int count = 0;
    for (RequestRecord r : records) {
      count = Math.max(count, (int) (r.intendedNanos() / widthNanos) + 1);
    }
    long[][] counts = new long[count][5];
    int[] sliceStart = new int[count + 1];
    List<TreeMap<String, Long>> subnets = new ArrayList<>(count);
    List<TreeMap<String, Tally>> modelTallies = new ArrayList<>(count);
    List<TreeMap<String, Tally>> subnetTallies = new ArrayList<>(count);
    for (int w = 0; w < count; w++) {
      subnets.add(new TreeMap<>());
      modelTallies.add(new TreeMap<>());
      subnetTallies.add(new TreeMap<>());
    }
    Tally none = new Tally(0, 0);
    for (RequestRecord r : records) {
      int w = (int) (r.intendedNanos() / widthNanos);
      long[] c = counts[w];
      c[0]++;
      if (!r.model().isEmpty()) {
        modelTallies.get(w).merge(r.model(), none.plus(r.good()), ReportCalculator::sum);
      }
      switch (r.outcome()) {
        case OK -> {
          c[1]++;
          c[2] += r.good() ? 1 : 0;
          if (!r.subnet().isEmpty()) {
            subnets.get(w).merge(r.qualifiedSubnet(), 1L, Long::sum);
            subnetTallies
                .get(w)
                .merge(r.qualifiedSubnet(), none.plus(r.good()), ReportCalculator::sum);
          }
        }
        case REJECTED -> c[3]++;
        case HTTP_ERROR, TIMEOUT, TRANSPORT_ERROR -> c[4]++;
      }
    }
    for (int w = 0; w < count; w++) {
      sliceStart[w + 1] = sliceStart[w] + (int) counts[w][1];
    }
    long[] latencies = new long[sliceStart[count]];
    int[] fill = java.util.Arrays.copyOf(sliceStart, count);
    for (RequestRecord r : records) {
      if (r.outcome() == Outcome.OK) {
        latencies[fill[(int) (r.intendedNanos() / widthNanos)]++] = r.latencyNanos();
      }
    }
    List<Window> out = new ArrayList<>(count);
    for (int w = 0; w < count; w++) {
      java.util.Arrays.sort(latencies, sliceStart[w], sliceStart[w + 1]);
      long[] c = counts[w];
      out.add(
          new Window(
              w * Report.WINDOW_SECONDS,
              Report.WINDOW_SECONDS,
              c[0],
              c[1],
              c[2],
              c[3],
              c[4],
              percentileMillis(latencies, sliceStart[w], sliceStart[w + 1], 50),
              percentileMillis(latencies, sliceStart[w], sliceStart[w + 1], 90),
              percentileMillis(latencies, sliceStart[w], sliceStart[w + 1], 99),
              subnets.get(w),
              modelTallies.get(w),
              subnetTallies.get(w)));
    }
    return out;
  }

  private static Tally sum(Tally a, Tally b) {
    return new Tally(a.count() + b.count(), a.good() + b.good());
  }

  // Nearest rank: the smallest value with at least p % of the slice at or below it.
  private static double percentileMillis(long[] sorted, int from, int to, double p) {
    int n = to - from;
    if (n == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * n);
    return sorted[from + Math.max(rank, 1) - 1] / 1e6;
  }

  private static double perSecond(long count, double seconds) {
    return seconds > 0 ? count / seconds : 0;
  }
}
