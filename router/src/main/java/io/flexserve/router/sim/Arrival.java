package io.flexserve.router.sim;

import io.flexserve.router.DeadlinePolicy;
import java.util.OptionalDouble;

/**
 * One request of a trace.
 *
 * @param atMillis arrival time from the start of the trace
 * @param inputs texts in the request
 * @param sequence padded tokens of its longest input
 * @param targetMillis its latency target; empty for none
 */
public record Arrival(
    double atMillis, int inputs, int sequence, OptionalDouble targetMillis, DeadlinePolicy policy) {
  public Arrival {
    if (!(atMillis >= 0) || inputs < 1 || sequence < 1) {
      throw new IllegalArgumentException(
          "bad arrival: at=" + atMillis + " inputs=" + inputs + " sequence=" + sequence);
    }
    if (targetMillis.isPresent() && !(targetMillis.getAsDouble() > 0)) {
      throw new IllegalArgumentException(
          "target must be > 0 ms, got " + targetMillis.getAsDouble());
    }
  }
}
