package io.flexserve.router;

/**
 * Chooses a sub-network for one request. Implementations are stateless and thread-safe; everything
 * a decision depends on arrives as arguments, so the same arguments always give the same decision.
 *
 * <p>Rules every policy follows:
 *
 * <ul>
 *   <li>A forced sub-network bypasses the policy: the request runs on it if the menu has it, whatever
 *       the deadline policy, with {@code expectedToMeetTarget} reported honestly; otherwise the
 *       request is rejected with {@link RoutingDecision.Rejected.Reason#UNKNOWN_SUBNET}.
 *   <li>A request "meets" its target when queue wait plus predicted inference is at most the target.
 *   <li>When the policy's choice misses the target, {@link DeadlinePolicy#BEST_EFFORT} runs it anyway
 *       with {@code expectedToMeetTarget = false}, and {@link DeadlinePolicy#STRICT} rejects with
 *       {@link RoutingDecision.Rejected.Reason#UNSATISFIABLE_TARGET}.
 * </ul>
 *
 * <p>Obtain instances from {@link RoutingPolicies}.
 */
public interface RoutingPolicy {

    /** Returns the policy's configuration name, e.g. {@code most-accurate-within-target}. */
    String name();

    /**
     * Decides where {@code request} runs.
     *
     * @param request the request; its tokens and queue wait feed the latency prediction
     * @param menu the sub-networks of the model the request addresses
     * @return a {@link RoutingDecision.Routed} or a {@link RoutingDecision.Rejected}; never null
     * @throws NullPointerException if either argument is null
     */
    RoutingDecision route(RoutingRequest request, ModelMenu menu);
}
