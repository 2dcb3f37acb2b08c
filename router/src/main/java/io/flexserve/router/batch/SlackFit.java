package io.flexserve.router.batch;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.List;
import java.util.Locale;

/**
 * Slack-aware choice of sub-network and batch size together (SuperServe's SlackFit, adapted).
 *
 * <p>The head of the queue is the most urgent request; its slack is {@code deadline − now}. Every
 * (sub-network, batch = the first b requests of the head's class) whose predicted run time fits in that slack is a
 * candidate; since later requests have later deadlines, whatever meets the head's deadline meets theirs. Among the
 * candidates we take the one that uses the most of the slack: at low load that is the most accurate sub-network
 * on the head alone; as the queue grows, the same slack buys a bigger batch on a smaller sub-network, which is
 * exactly the throughput the load needs. Ties go to higher quality, then to the bigger batch.
 *
 * <p>One step of look-ahead protects the request left behind: a candidate is preferred only if the first
 * request not in the batch could still finish in time on the fastest sub-network afterwards. If no candidate
 * passes that test the look-ahead is dropped; if none fits at all, the head is late and runs alone on the fastest.
 */
final class SlackFit implements BatchPolicy {

    @Override
    public String name() {
        return BatchPolicies.SLACKFIT;
    }

    @Override
    public Batch next(List<Pending> queue, double now, ModelMenu menu, LatencyPredictor latency, BatchLimits limits) {
        Batch fixed = Plans.fixedRoute(queue, now, menu, latency, limits);
        if (fixed != null) {
            return fixed;
        }
        List<Pending> members = Plans.headClass(queue);
        double slack = members.get(0).deadlineMillis().getAsDouble() - now;
        Batch withLookahead = choose(members, now, slack, menu, latency, limits, true);
        if (withLookahead != null) {
            return withLookahead;
        }
        Batch any = choose(members, now, slack, menu, latency, limits, false);
        return any != null ? any : Plans.lateHead(queue, now, menu, latency, limits);
    }

    private static Batch choose(List<Pending> members, double now, double slack, ModelMenu menu, LatencyPredictor latency,
                                BatchLimits limits, boolean protectFollower) {
        Batch best = null;
        for (SubnetProfile subnet : menu.bestFirst()) {
            for (int b = 1; b <= members.size(); b++) {
                List<Pending> batch = members.subList(0, b);
                if (!limits.fits(batch)) {
                    break;
                }
                double ms = latency.predictMillis(subnet, Batch.paddedTokens(batch));
                if (ms > slack) {
                    break; // bigger batches on this sub-network only take longer
                }
                if (protectFollower && b < members.size() && !followerFeasible(members.get(b), now + ms, menu, latency)) {
                    continue;
                }
                if (best == null || better(ms, subnet, b, best)) {
                    best = new Batch(subnet, batch, ms, String.format(Locale.ROOT, "slackfit: %d request(s) in %.1f ms of %.1f ms slack",
                            b, ms, slack));
                }
            }
        }
        return best;
    }

    private static boolean better(double ms, SubnetProfile subnet, int b, Batch current) {
        if (ms != current.predictedMillis()) {
            return ms > current.predictedMillis();
        }
        if (subnet.quality() != current.subnet().quality()) {
            return subnet.quality() > current.subnet().quality();
        }
        return b > current.requests().size();
    }

    private static boolean followerFeasible(Pending follower, double start, ModelMenu menu, LatencyPredictor latency) {
        int tokens = follower.inputs() * follower.sequence();
        double fastest = latency.predictMillis(Plans.fastest(menu, latency, tokens), tokens);
        return start + fastest <= follower.deadlineMillis().getAsDouble();
    }
}
