package io.flexserve.loadtest.workload;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One request of a run, fixed before the run starts.
 *
 * @param index position in the schedule, from 0
 * @param offsetNanos intended send time, nanoseconds from the run's start; zero or more
 * @param inputs the texts to embed, one or more, none blank; exactly one is sent as a JSON string, more as an array
 * @param targetMillis the latency target, milliseconds, sent as {@code X-Latency-Target-Ms} and used to judge this
 *     request; empty when the request has none
 */
public record PlannedRequest(int index, long offsetNanos, List<String> inputs, OptionalDouble targetMillis) {
    public PlannedRequest {
        inputs = List.copyOf(inputs);
        if (index < 0 || offsetNanos < 0) {
            throw new IllegalArgumentException("index and offset must be >= 0, got " + index + ", " + offsetNanos);
        }
        if (inputs.isEmpty() || inputs.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("request " + index + " needs one or more non-blank inputs");
        }
        double target = targetMillis.orElse(1);
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("request " + index + ": latency target must be > 0 ms, got "
                    + targetMillis.getAsDouble());
        }
    }
}
