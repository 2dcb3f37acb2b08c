package io.flexserve.router;

import java.util.List;
import java.util.Locale;

/** The entry point for obtaining {@link RoutingPolicy} instances. Every instance is a shared singleton. */
public final class RoutingPolicies {

    /** Name of {@link #mostAccurateWithinTarget()}, the default. */
    public static final String MOST_ACCURATE_WITHIN_TARGET = MostAccurateWithinTarget.NAME;
    /** Name of {@link #alwaysLargest()}. */
    public static final String ALWAYS_LARGEST = "always-largest";
    /** Name of {@link #alwaysSmallest()}. */
    public static final String ALWAYS_SMALLEST = "always-smallest";

    private static final RoutingPolicy MOST_ACCURATE = new MostAccurateWithinTarget();
    private static final RoutingPolicy LARGEST = new FixedChoicePolicy(ALWAYS_LARGEST, ModelMenu::largest);
    private static final RoutingPolicy SMALLEST = new FixedChoicePolicy(ALWAYS_SMALLEST, ModelMenu::smallest);
    private static final List<RoutingPolicy> ALL = List.of(MOST_ACCURATE, LARGEST, SMALLEST);

    private RoutingPolicies() {}

    /**
     * Returns the default policy: the most accurate sub-network expected to meet the target (queue
     * wait included), the most accurate overall when there is no target, and the fastest for the
     * input, subject to the deadline policy, when none fits.
     */
    public static RoutingPolicy mostAccurateWithinTarget() {
        return MOST_ACCURATE;
    }

    /** Returns the baseline that always runs the largest sub-network, {@link ModelMenu#largest()}. */
    public static RoutingPolicy alwaysLargest() {
        return LARGEST;
    }

    /** Returns the baseline that always runs the smallest sub-network, {@link ModelMenu#smallest()}. */
    public static RoutingPolicy alwaysSmallest() {
        return SMALLEST;
    }

    /** Returns the default policy, {@link #mostAccurateWithinTarget()}. */
    public static RoutingPolicy defaultPolicy() {
        return MOST_ACCURATE;
    }

    /** Returns every valid policy name, the default first. */
    public static List<String> names() {
        return ALL.stream().map(RoutingPolicy::name).toList();
    }

    /**
     * Looks a policy up by name, ignoring case and surrounding whitespace.
     *
     * @param name one of {@link #names()}; null or blank means "not configured" and gives the default
     * @return the policy
     * @throws IllegalArgumentException if the name is not one of {@link #names()}; the message lists them
     */
    public static RoutingPolicy byName(String name) {
        if (name == null || name.isBlank()) {
            return defaultPolicy();
        }
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (RoutingPolicy policy : ALL) {
            if (policy.name().equals(wanted)) {
                return policy;
            }
        }
        throw new IllegalArgumentException(
                "unknown routing policy '" + name + "'; valid policies: " + String.join(", ", names()));
    }
}
