package io.flexserve.router;

/**
 * The default policy: the most accurate sub-network expected to finish within the target, counting
 * queue wait. Without a target, the most accurate of all. When nothing fits, the fastest for this
 * input stands in, subject to the deadline policy.
 */
final class MostAccurateWithinTarget implements RoutingPolicy {

    static final String NAME = "most-accurate-within-target";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RoutingDecision route(RoutingRequest request, ModelMenu menu) {
        Decisions.requireArguments(request, menu);
        if (request.forcedSubnet().isPresent()) {
            return Decisions.forced(request.forcedSubnet().get(), request, menu);
        }
        int tokens = request.tokens();

        // No target: accuracy is all that matters.
        if (request.latencyTargetMillis().isEmpty()) {
            SubnetProfile best = menu.best();
            return new RoutingDecision.Routed(best, best.predictMillis(tokens), request.queueWaitMillis(), true,
                    "no target: most accurate");
        }

        // Most accurate first, so the first that fits is the answer.
        for (SubnetProfile candidate : menu.bestFirst()) {
            double predicted = candidate.predictMillis(tokens);
            if (Decisions.meets(request, predicted)) {
                return new RoutingDecision.Routed(candidate, predicted, request.queueWaitMillis(), true,
                        "most accurate within " + Decisions.ms(request.latencyTargetMillis().getAsDouble())
                                + " ms target");
            }
        }

        // Nothing fits: the fastest for this input comes closest.
        SubnetProfile fastest = menu.fastestFor(tokens);
        return Decisions.missed(fastest, fastest.predictMillis(tokens), request, "fastest");
    }

    @Override
    public String toString() {
        return NAME;
    }
}
