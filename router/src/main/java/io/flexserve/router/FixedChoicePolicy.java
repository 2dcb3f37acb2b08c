package io.flexserve.router;

import java.util.Objects;
import java.util.function.Function;

/**
 * A baseline that always runs the same sub-network of the menu, whatever the target, such as the
 * largest or the smallest. The target still decides {@code expectedToMeetTarget} and, for strict
 * requests, whether to reject, so baselines are compared with the adaptive policy on equal terms.
 */
final class FixedChoicePolicy implements RoutingPolicy {

    private final String name;
    private final Function<ModelMenu, SubnetProfile> choice;

    FixedChoicePolicy(String name, Function<ModelMenu, SubnetProfile> choice) {
        this.name = Objects.requireNonNull(name, "name");
        this.choice = Objects.requireNonNull(choice, "choice");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RoutingDecision route(RoutingRequest request, ModelMenu menu) {
        Decisions.requireArguments(request, menu);
        if (request.forcedSubnet().isPresent()) {
            return Decisions.forced(request.forcedSubnet().get(), request, menu);
        }
        SubnetProfile subnet = choice.apply(menu);
        double predicted = subnet.predictMillis(request.tokens());
        if (!Decisions.meets(request, predicted)) {
            return Decisions.missed(subnet, predicted, request, name);
        }
        String reason = request.latencyTargetMillis().isEmpty()
                ? name + ", no target"
                : name + " within " + Decisions.ms(request.latencyTargetMillis().getAsDouble()) + " ms target";
        return new RoutingDecision.Routed(subnet, predicted, request.queueWaitMillis(), true, reason);
    }

    @Override
    public String toString() {
        return name;
    }
}
