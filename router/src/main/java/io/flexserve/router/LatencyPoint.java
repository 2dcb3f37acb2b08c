package io.flexserve.router;

/**
 * One measured point of a latency curve: running a batch of {@code tokens} total padded tokens took
 * {@code millis} milliseconds of inference time.
 *
 * @param tokens total padded tokens of the batch (batch size × sequence length); positive
 * @param millis inference time in milliseconds; finite and non-negative
 */
public record LatencyPoint(int tokens, double millis) {

  /**
   * Validates the point.
   *
   * @throws IllegalArgumentException if {@code tokens} is not positive or {@code millis} is
   *     negative, NaN or infinite
   */
  public LatencyPoint {
    if (tokens <= 0) {
      throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
    }
    if (!Double.isFinite(millis) || millis < 0) {
      throw new IllegalArgumentException(
          "millis must be finite and >= 0, got " + millis + " at " + tokens + " tokens");
    }
  }
}
