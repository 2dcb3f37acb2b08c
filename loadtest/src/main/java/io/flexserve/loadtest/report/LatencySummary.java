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

  /** Summarises a histogram of microseconds. */
  static LatencySummary of(Histogram micros) {
    long n = micros.getTotalCount();
    if (n == 0) {
      return new LatencySummary(
          0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
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
