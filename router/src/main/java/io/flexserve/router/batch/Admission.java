package io.flexserve.router.batch;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a new request may join the queue, decided at once so a client that cannot be served in time hears so
 * within milliseconds instead of after waiting.
 *
 * <ul>
 *   <li>A forced sub-network that does not exist: rejected ({@link Reason#UNKNOWN_SUBNET}).</li>
 *   <li>No target: admitted (the queue bound, checked by the caller, still applies).</li>
 *   <li>A target that even the fastest sub-network cannot meet on an idle server: {@code strict} rejects
 *       ({@link Reason#UNSATISFIABLE_TARGET}); {@code best-effort} admits it to run late on the fastest, but only
 *       while the work ahead of it is within its target: a late request must not join a long queue either.</li>
 *   <li>A target that only the queue in front makes unreachable: rejected for either policy
 *       ({@link Reason#OVERLOADED}) with a retry hint of when the backlog would have drained. Serving it would be
 *       late anyway and would make the requests behind it late too; this is what keeps the admitted requests on
 *       time under overload.</li>
 * </ul>
 */
public final class Admission {
    private Admission() {}

    public enum Reason { UNKNOWN_SUBNET, UNSATISFIABLE_TARGET, OVERLOADED }

    /** The verdict: {@link Admit} or {@link Reject}. */
    public sealed interface Verdict permits Admit, Reject {}

    /** @param expectedLate true when admitted although the target is known to be unreachable (best effort) */
    public record Admit(boolean expectedLate) implements Verdict {}

    /** @param retryAfterMillis when retrying could help, ≥ 1 */
    public record Reject(Reason reason, String message, double retryAfterMillis) implements Verdict {}

    /**
     * @param candidate the new request (its deadline relative to its admission time is its target)
     * @param backlogMillis predicted wait before it could start ({@link #backlogMillis})
     */
    public static Verdict decide(Pending candidate, DeadlinePolicy policy, double backlogMillis, ModelMenu menu,
                                 LatencyPredictor latency) {
        SubnetProfile forced = null;
        if (candidate.forcedSubnet().isPresent()) {
            forced = menu.find(candidate.forcedSubnet().get()).orElse(null);
            if (forced == null) {
                return new Reject(Reason.UNKNOWN_SUBNET, "unknown sub-network '" + candidate.forcedSubnet().get()
                        + "'; valid: " + String.join(", ", menu.names()), 1);
            }
        }
        if (candidate.deadlineMillis().isEmpty()) {
            return new Admit(false);
        }
        int tokens = candidate.inputs() * candidate.sequence();
        SubnetProfile subnet = forced != null ? forced : Plans.fastest(menu, latency, tokens);
        double own = latency.predictMillis(subnet, tokens);
        double target = candidate.deadlineMillis().getAsDouble() - candidate.admittedAtMillis();
        if (own > target && policy == DeadlinePolicy.STRICT) {
            return new Reject(Reason.UNSATISFIABLE_TARGET, String.format(Locale.ROOT,
                    "latency target %.1f ms is below what '%s' needs even on an idle server (%.1f ms for %d tokens)",
                    target, subnet.name(), own, tokens), 1000);
        }
        boolean lateAnyway = own > target;
        if (lateAnyway ? backlogMillis <= target : backlogMillis + own <= target) {
            return new Admit(lateAnyway);
        }
        double excess = backlogMillis + own - target;
        return new Reject(Reason.OVERLOADED, String.format(Locale.ROOT,
                "overloaded: %.1f ms of queued work ahead; with %.1f ms for this request on '%s' the %.1f ms target would be missed",
                backlogMillis, own, subnet.name(), target), Math.max(1, Math.ceil(excess)));
    }

    /**
     * Predicted wait before a request with ordering deadline {@code orderingDeadline} could start: the remaining
     * time of running batches plus the requests ordered before it, merged greedily into runs within
     * {@code limits} on the fastest sub-network, shared over {@code workers}. Optimistic on purpose: the policy may
     * pick slower, more accurate sub-networks when slack allows, and batch classes are ignored here. A request is
     * refused only when even this best case is too late.
     *
     * @param queue waiting requests in deadline order
     * @param runningRemainingMillis predicted remaining time of each running batch
     */
    public static double backlogMillis(List<Pending> queue, double orderingDeadline, List<Double> runningRemainingMillis,
                                       int workers, ModelMenu menu, LatencyPredictor latency, BatchLimits limits) {
        double work = 0;
        for (double r : runningRemainingMillis) {
            work += Math.max(0, r);
        }
        List<Pending> run = new ArrayList<>();
        for (Pending p : queue) {
            if (p.orderingDeadline() > orderingDeadline) {
                break;
            }
            run.add(p);
            if (!limits.fits(run)) {
                run.remove(run.size() - 1);
                work += fastestMillis(run, menu, latency);
                run.clear();
                run.add(p);
            }
        }
        if (!run.isEmpty()) {
            work += fastestMillis(run, menu, latency);
        }
        return work / workers;
    }

    private static double fastestMillis(List<Pending> run, ModelMenu menu, LatencyPredictor latency) {
        int tokens = Batch.paddedTokens(run);
        return latency.predictMillis(Plans.fastest(menu, latency, tokens), tokens);
    }
}
