package io.flexserve.router;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/** The steps every policy shares: forced sub-networks, the target test, and missed targets. */
final class Decisions {

    private Decisions() {}

    /**
     * Routes to the client's forced sub-network, or rejects if the menu lacks it. The deadline policy
     * is not applied: forcing is an explicit override, and the client learns from
     * {@code expectedToMeetTarget} whether it is likely to be late.
     */
    static RoutingDecision forced(String name, RoutingRequest request, ModelMenu menu) {
        return menu.find(name)
                .<RoutingDecision>map(subnet -> {
                    double predicted = subnet.predictMillis(request.tokens());
                    return new RoutingDecision.Routed(subnet, predicted, request.queueWaitMillis(),
                            meets(request, predicted), "forced by X-Subnet");
                })
                .orElseGet(() -> new RoutingDecision.Rejected(RoutingDecision.Rejected.Reason.UNKNOWN_SUBNET,
                        "unknown subnet '" + name + "'; valid subnets: " + String.join(", ", menu.names()), 0));
    }

    /** Whether queue wait plus {@code predictedMillis} is within the request's target; true without one. */
    static boolean meets(RoutingRequest request, double predictedMillis) {
        OptionalDouble target = request.latencyTargetMillis();
        return target.isEmpty() || request.queueWaitMillis() + predictedMillis <= target.getAsDouble();
    }

    /**
     * Applies the deadline policy to a choice already known to miss the target: best effort runs it
     * anyway, strict rejects and asks the client to come back once the excess could have drained.
     *
     * @param label names the choice in the reason or message, e.g. "fastest"
     */
    static RoutingDecision missed(SubnetProfile subnet, double predictedMillis, RoutingRequest request, String label) {
        double target = request.latencyTargetMillis().orElseThrow();
        double queueWait = request.queueWaitMillis();
        if (request.deadlinePolicy() == DeadlinePolicy.BEST_EFFORT) {
            return new RoutingDecision.Routed(subnet, predictedMillis, queueWait, false, "target unreachable: " + label);
        }
        double excess = queueWait + predictedMillis - target;
        // The target was missed, so excess > 0 and rounding up to whole milliseconds gives at least 1:
        // never a hint of "0" or "0.3" that would invite a tight retry loop.
        double retryAfter = Math.ceil(excess);
        String why = predictedMillis > target
                ? "inference alone exceeds it, even with an empty queue"
                : "it needs the queue to drain by " + ms(excess) + " ms";
        return new RoutingDecision.Rejected(RoutingDecision.Rejected.Reason.UNSATISFIABLE_TARGET,
                "latency target " + ms(target) + " ms unreachable: best achievable is " + ms(queueWait + predictedMillis)
                        + " ms (" + label + " subnet '" + subnet.name() + "' " + ms(predictedMillis) + " ms + queue wait "
                        + ms(queueWait) + " ms); " + why,
                retryAfter);
    }

    /** Formats milliseconds for humans: one decimal, locale-independent. */
    static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f", millis);
    }

    static void requireArguments(RoutingRequest request, ModelMenu menu) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(menu, "menu");
    }
}
