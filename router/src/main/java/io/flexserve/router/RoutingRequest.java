package io.flexserve.router;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the router needs to know about one request to choose a sub-network for it.
 *
 * @param tokens total padded tokens of the batch this request will run in (batch size × padded
 *     sequence length); positive
 * @param latencyTargetMillis the client's end-to-end latency target in milliseconds, from
 *     {@code X-Latency-Target-Ms}; empty when the header was absent, otherwise finite and positive
 * @param forcedSubnet the sub-network the client demanded with {@code X-Subnet}; empty when the
 *     header was absent, otherwise not blank
 * @param deadlinePolicy what to do when the target cannot be met
 * @param queueWaitMillis estimated milliseconds before this request starts running, computed by the
 *     caller from the current queue; finite and non-negative
 */
public record RoutingRequest(
        int tokens,
        OptionalDouble latencyTargetMillis,
        Optional<String> forcedSubnet,
        DeadlinePolicy deadlinePolicy,
        double queueWaitMillis) {

    /**
     * Validates the request.
     *
     * @throws IllegalArgumentException if any value is outside the range documented above
     * @throws NullPointerException if any reference component is null
     */
    public RoutingRequest {
        Objects.requireNonNull(latencyTargetMillis, "latencyTargetMillis");
        Objects.requireNonNull(forcedSubnet, "forcedSubnet");
        Objects.requireNonNull(deadlinePolicy, "deadlinePolicy");
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
        }
        if (latencyTargetMillis.isPresent()) {
            double target = latencyTargetMillis.getAsDouble();
            if (!Double.isFinite(target) || target <= 0) {
                throw new IllegalArgumentException("latency target must be finite and > 0 ms, got " + target);
            }
        }
        if (forcedSubnet.isPresent() && forcedSubnet.get().isBlank()) {
            throw new IllegalArgumentException("forced subnet must not be blank, got '" + forcedSubnet.get() + "'");
        }
        if (!Double.isFinite(queueWaitMillis) || queueWaitMillis < 0) {
            throw new IllegalArgumentException("queueWaitMillis must be finite and >= 0, got " + queueWaitMillis);
        }
    }

    /**
     * Returns a request with no target, no forced sub-network, {@link DeadlinePolicy#BEST_EFFORT}
     * and no queue wait.
     *
     * @throws IllegalArgumentException if {@code tokens} is not positive
     */
    public static RoutingRequest unconstrained(int tokens) {
        return new RoutingRequest(tokens, OptionalDouble.empty(), Optional.empty(), DeadlinePolicy.BEST_EFFORT, 0);
    }
}
