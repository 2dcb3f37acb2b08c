package io.flexserve.loadtest.report;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles of a set of requests, in milliseconds, read from an HdrHistogram that records
 * microseconds with 3 significant digits (so each value is within 0.1% of the exact one). All
 * values are NaN when {@code count} is 0.
 *
 * @param count how many latencies were recorded
 * @param p50Millis median
 * @param p90Millis 90th percentile
 * @param p95Millis 95th percentile
 * @param p99Millis 99th percentile
 * @param maxMillis largest value
 * @param meanMillis arithmetic mean
 */
public record LatencySummary(
    long count,
    double p50Millis,
    double p90Millis,
    double p95Millis,
    double p99Millis,
    double maxMillis,
    double meanMillis) {
  /** The summary of no latencies. */
  public static final LatencySummary EMPTY =
      new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** Significant decimal digits kept by the histogram. */
  public static final int SIGNIFICANT_DIGITS = 3;

  public LatencySummary {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }

  /** A new auto-resizing histogram of microseconds, as {@link #of} expects. */
  static Histogram newMicrosHistogram() {
    return new Histogram(SIGNIFICANT_DIGITS);
  }

  /** Records a latency given in nanoseconds into a histogram of microseconds. */
  static void recordNanos(Histogram micros, long nanos) {
    micros.recordValue(Math.max(0, Math.round(nanos / 1e3)));
  }

  /** The distribution at {@link Report#CDF_FRACTIONS}; empty when nothing was recorded. */
  static java.util.List<CdfPoint> cdf(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return java.util.List.of();
    }
    java.util.List<CdfPoint> out = new java.util.ArrayList<>(Report.CDF_FRACTIONS.length);
    for (double f : Report.CDF_FRACTIONS) {
      long v = f == 0 ? micros.getMinValue() : micros.getValueAtPercentile(f * 100);
      out.add(new CdfPoint(f, v / 1e3));
    }
    return out;
  }

  /** Summarises a histogram of microseconds. */
  static LatencySummary of(Histogram micros) {
    long n = micros.getTotalCount();
    if (n == 0) {
      return EMPTY;
    }
    return new LatencySummary(
        n,
        micros.getValueAtPercentile(50) / 1e3,
        micros.getValueAtPercentile(90) / 1e3,
        micros.getValueAtPercentile(95) / 1e3,
        micros.getValueAtPercentile(99) / 1e3,
        micros.getMaxValue() / 1e3,
        micros.getMean() / 1e3);
  }
}
