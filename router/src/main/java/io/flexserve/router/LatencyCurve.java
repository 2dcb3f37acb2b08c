package io.flexserve.router;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Predicted inference latency of one sub-network, in milliseconds, as a function of input size in
 * total padded tokens (batch size × sequence length). Immutable.
 *
 * <p>Between measured points the curve is piecewise linear. Below the first point it is flat at the
 * first point's latency, because at small sizes fixed per-call overhead dominates and shrinking the
 * input further buys almost nothing. Above the last point it extrapolates with the slope of the
 * last two points (or proportionally to tokens when only one point was measured), and never
 * predicts less than the last point's latency.
 */
public final class LatencyCurve {

  /*
   * Points are held as two parallel arrays sorted by strictly increasing tokens, so prediction is
   * one binary search and one interpolation with no allocation. Measured points are kept as they
   * are, even when noise makes the curve dip between them: the curve reports what was measured,
   * and only the extrapolation beyond the data is clamped.
   */
  private final int[] tokens;
  private final double[] millis;

  private LatencyCurve(int[] tokens, double[] millis) {
    this.tokens = tokens;
    this.millis = millis;
  }

  /**
   * Builds a curve from measured points, in any order. When several points share a token count the
   * slowest is kept, so the curve errs toward predicting too much latency rather than too little.
   *
   * @param points at least one point; the list is copied
   * @return the curve
   * @throws IllegalArgumentException if {@code points} is empty
   * @throws NullPointerException if {@code points} or any element is null
   */
  public static LatencyCurve of(List<LatencyPoint> points) {
    Objects.requireNonNull(points, "points");
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a latency curve needs at least one point");
    }
    TreeMap<Integer, Double> slowestByTokens = new TreeMap<>();
    for (LatencyPoint point : points) {
      Objects.requireNonNull(point, "points must not contain null");
      slowestByTokens.merge(point.tokens(), point.millis(), Math::max);
    }
    int[] tokens = new int[slowestByTokens.size()];
    double[] millis = new double[slowestByTokens.size()];
    int i = 0;
    for (Map.Entry<Integer, Double> entry : slowestByTokens.entrySet()) {
      tokens[i] = entry.getKey();
      millis[i] = entry.getValue();
      i++;
    }
    return new LatencyCurve(tokens, millis);
  }

  /**
   * Builds a curve from raw repeated timings: for each token count, the {@code quantile} of its
   * samples (nearest rank, see {@link Quantiles#quantile}) becomes that count's point.
   *
   * @param samplesByTokens timings in milliseconds keyed by total padded tokens; non-empty, every
   *     array non-empty, finite and non-negative; not modified
   * @param quantile which quantile of each sample set to keep, in [0, 1], e.g. 0.9 for p90
   * @return the curve
   * @throws IllegalArgumentException if the map or any sample array is empty, a key is not
   *     positive, a sample is negative or not finite, or {@code quantile} is outside [0, 1]
   * @throws NullPointerException if the map, a key or a sample array is null
   */
  public static LatencyCurve fromSamples(Map<Integer, double[]> samplesByTokens, double quantile) {
    Objects.requireNonNull(samplesByTokens, "samplesByTokens");
    if (samplesByTokens.isEmpty()) {
      throw new IllegalArgumentException("samplesByTokens must not be empty");
    }
    List<LatencyPoint> points = new ArrayList<>(samplesByTokens.size());
    for (Map.Entry<Integer, double[]> entry : samplesByTokens.entrySet()) {
      Integer tokens =
          Objects.requireNonNull(entry.getKey(), "samplesByTokens must not have a null key");
      double[] samples =
          Objects.requireNonNull(entry.getValue(), "no samples array for " + tokens + " tokens");
      if (samples.length == 0) {
        throw new IllegalArgumentException("no samples for " + tokens + " tokens");
      }
      // Checked here because the quantile would only surface a bad sample if it happened to pick
      // it.
      for (double sample : samples) {
        if (!Double.isFinite(sample) || sample < 0) {
          throw new IllegalArgumentException(
              "samples must be finite and >= 0, got " + sample + " at " + tokens + " tokens");
        }
      }
      points.add(new LatencyPoint(tokens, Quantiles.quantile(samples, quantile)));
    }
    return of(points);
  }

  /**
   * Predicts the inference latency of an input of {@code tokens} total padded tokens.
   *
   * @param tokens total padded tokens; positive
   * @return predicted milliseconds; finite and non-negative
   * @throws IllegalArgumentException if {@code tokens} is not positive
   */
  public double predictMillis(int tokens) {
    if (tokens <= 0) {
      throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
    }
    int last = this.tokens.length - 1;
    if (tokens <= this.tokens[0]) {
      return millis[0];
    }
    if (tokens >= this.tokens[last]) {
      return extrapolate(tokens);
    }
    int found = Arrays.binarySearch(this.tokens, tokens);
    if (found >= 0) {
      return millis[found];
    }
    int hi = -found - 1;
    int lo = hi - 1;
    double fraction = (double) (tokens - this.tokens[lo]) / (this.tokens[hi] - this.tokens[lo]);
    return millis[lo] + fraction * (millis[hi] - millis[lo]);
  }

  private double extrapolate(int tokens) {
    int last = this.tokens.length - 1;
    double lastMillis = millis[last];
    if (last == 0) {
      return lastMillis * tokens / this.tokens[0];
    }
    double slope = (lastMillis - millis[last - 1]) / (this.tokens[last] - this.tokens[last - 1]);
    // A noisy negative slope must not predict that bigger inputs get faster.
    return Math.max(lastMillis, lastMillis + slope * (tokens - this.tokens[last]));
  }

  /**
   * Returns the points the curve passes through: sorted by strictly increasing tokens, duplicates
   * already resolved to the slowest.
   *
   * @return an unmodifiable list
   */
  public List<LatencyPoint> points() {
    List<LatencyPoint> points = new ArrayList<>(tokens.length);
    for (int i = 0; i < tokens.length; i++) {
      points.add(new LatencyPoint(tokens[i], millis[i]));
    }
    return List.copyOf(points);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LatencyCurve curve
        && Arrays.equals(tokens, curve.tokens)
        && Arrays.equals(millis, curve.millis);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(millis);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("LatencyCurve[");
    for (int i = 0; i < tokens.length; i++) {
      text.append(i == 0 ? "" : ", ")
          .append(tokens[i])
          .append(" tok=")
          .append(millis[i])
          .append(" ms");
    }
    return text.append(']').toString();
  }
}
