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
 * <p>Look-ahead protects the requests left behind: a candidate is preferred only if, after it, the rest of the
 * head's class could still be drained in time at full speed on the fastest sub-network: the
 * same {@link Drain} that {@link Admission} assumes when it admits. Without this, filling the head's slack would
 * spend time admission had promised to the requests behind it. If no candidate passes, the look-ahead is dropped;
 * if none fits at all, the head is late and runs with the other late requests on the fastest.
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
                if (protectFollower && !restFeasible(members.subList(b, members.size()), now + ms, menu, latency, limits)) {
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

    /** Whether every request of {@code rest} (deadline order) can still finish in time when drained from {@code start}. */
    static boolean restFeasible(List<Pending> rest, double start, ModelMenu menu, LatencyPredictor latency, BatchLimits limits) {
        double[] finish = Drain.finishTimes(rest, new double[] {start}, menu, latency, limits);
        for (int i = 0; i < finish.length; i++) {
            if (finish[i] > rest.get(i).deadlineMillis().orElse(Double.POSITIVE_INFINITY)) {
                return false;
            }
        }
        return true;
    }
}
