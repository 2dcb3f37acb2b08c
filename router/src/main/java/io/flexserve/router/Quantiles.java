package io.flexserve.router;

import java.util.Arrays;
import java.util.Objects;

/** Nearest-rank quantiles of raw latency samples. */
public final class Quantiles {

  /*
   * Nearest-rank: the q-quantile of n sorted values is the value at 1-based rank ceil(q * n), with
   * rank 1 for q = 0. It always returns an observed value, never an interpolated one, which is what
   * we want for latency: "90% of runs finished within this many ms" must be a time we actually saw.
   *
   * q * n is computed in floating point, so 0.55 * 100 comes out as 55.00000000000001 and a plain
   * ceil would pick rank 56. RANK_EPSILON absorbs that rounding noise; it is far below the 1/n
   * granularity of any realistic sample count.
   */
  private static final double RANK_EPSILON = 1e-9;

  private Quantiles() {}

  /**
   * Returns the nearest-rank {@code q}-quantile of {@code values}. The array is not modified.
   *
   * @param values samples; non-empty, none NaN
   * @param q quantile in [0, 1]; 0 gives the minimum, 1 the maximum, 0.5 the lower median
   * @return one of the values in {@code values}
   * @throws IllegalArgumentException if {@code values} is empty or holds NaN, or {@code q} is
   *     outside [0, 1]
   * @throws NullPointerException if {@code values} is null
   */
  public static double quantile(double[] values, double q) {
    double[] sorted = Objects.requireNonNull(values, "values").clone();
    Arrays.sort(sorted);
    return ofSorted(sorted, q);
  }

  /**
   * As {@link #quantile}, on values already sorted ascending (as {@link Arrays#sort} leaves them):
   * several quantiles of one sample cost one sort.
   *
   * @throws IllegalArgumentException as {@link #quantile}
   */
  public static double ofSorted(double[] sorted, double q) {
    return ofSorted(Objects.requireNonNull(sorted, "sorted"), sorted.length, q);
  }

  /**
   * As {@link #ofSorted(double[], double)}, on the first {@code n} values of {@code sorted}: a
   * window kept sorted in a larger array.
   *
   * @throws IllegalArgumentException as {@link #quantile}, or if {@code n} is past the array's end
   */
  public static double ofSorted(double[] sorted, int n, double q) {
    Objects.requireNonNull(sorted, "sorted");
    if (n > sorted.length) {
      throw new IllegalArgumentException(n + " values asked of an array of " + sorted.length);
    }
    if (n <= 0) {
      throw new IllegalArgumentException("values must not be empty");
    }
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q must be in [0, 1], got " + q);
    }
    // Arrays.sort puts NaN last, so one look at the end finds any.
    if (Double.isNaN(sorted[n - 1])) {
      throw new IllegalArgumentException("values must not contain NaN");
    }
    int rank = (int) Math.ceil(q * n - RANK_EPSILON);
    return sorted[Math.max(1, Math.min(rank, n)) - 1];
  }
}
