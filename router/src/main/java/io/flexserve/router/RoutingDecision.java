package io.flexserve.router;

import java.util.Objects;

/**
 * What a {@link RoutingPolicy} decided for one request: run it on a sub-network, or reject it.
 * Callers tell the two apart with {@code instanceof} patterns.
 */
public sealed interface RoutingDecision permits RoutingDecision.Routed, RoutingDecision.Rejected {

    /**
     * Run the request on {@code subnet}.
     *
     * @param subnet the chosen sub-network
     * @param predictedMillis predicted inference time alone, in milliseconds; finite, non-negative
     * @param queueWaitMillis the queue wait the decision assumed, in milliseconds, copied from the
     *     request; finite, non-negative
     * @param expectedToMeetTarget whether queue wait plus predicted inference is within the
     *     request's latency target; true when the request had no target
     * @param reason a short human-readable account of the choice, for logs and response headers
     */
    record Routed(
            SubnetProfile subnet,
            double predictedMillis,
            double queueWaitMillis,
            boolean expectedToMeetTarget,
            String reason) implements RoutingDecision {

        /**
         * Validates the decision.
         *
         * @throws IllegalArgumentException if a time is negative or not finite
         * @throws NullPointerException if {@code subnet} or {@code reason} is null
         */
        public Routed {
            Objects.requireNonNull(subnet, "subnet");
            Objects.requireNonNull(reason, "reason");
            if (!Double.isFinite(predictedMillis) || predictedMillis < 0) {
                throw new IllegalArgumentException("predictedMillis must be finite and >= 0, got " + predictedMillis);
            }
            if (!Double.isFinite(queueWaitMillis) || queueWaitMillis < 0) {
                throw new IllegalArgumentException("queueWaitMillis must be finite and >= 0, got " + queueWaitMillis);
            }
        }

        /** Returns the expected end-to-end time in milliseconds: queue wait plus predicted inference. */
        public double expectedTotalMillis() {
            return queueWaitMillis + predictedMillis;
        }
    }

    /**
     * Do not run the request.
     *
     * @param reason why, as a type the HTTP edge maps to a status
     * @param message a human-readable explanation naming the values involved
     * @param retryAfterMillis how long the client should wait before retrying, in milliseconds;
     *     0 when retrying cannot help (an unknown sub-network), at least 1 otherwise
     */
    record Rejected(Reason reason, String message, double retryAfterMillis) implements RoutingDecision {

        /** Why a request was rejected. */
        public enum Reason {
            /** A strict request's latency target is not expected to be met by any permitted choice. */
            UNSATISFIABLE_TARGET,
            /** The client forced a sub-network the model does not have. */
            UNKNOWN_SUBNET
        }

        /**
         * Validates the decision.
         *
         * @throws IllegalArgumentException if {@code retryAfterMillis} is negative or not finite
         * @throws NullPointerException if {@code reason} or {@code message} is null
         */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            if (!Double.isFinite(retryAfterMillis) || retryAfterMillis < 0) {
                throw new IllegalArgumentException("retryAfterMillis must be finite and >= 0, got " + retryAfterMillis);
            }
        }
    }
}
