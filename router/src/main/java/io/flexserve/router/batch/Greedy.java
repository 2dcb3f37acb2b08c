package io.flexserve.router.batch;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.List;

/**
 * Per-request greedy choice (INFaaS-like): the head alone, on the most accurate sub-network whose
 * predicted time fits its remaining slack; no batching of targeted requests.
 */
final class Greedy implements BatchPolicy {

  @Override
  public String name() {
    return BatchPolicies.GREEDY;
  }

  @Override
  public Batch forTargetedHead(
      List<Pending> queue,
      double now,
      double arrivalsPerMilli,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    List<Pending> head = queue.subList(0, 1);
    double slack = head.get(0).deadlineMillis().getAsDouble() - now;
    int tokens = Batch.paddedTokens(head);
    for (SubnetProfile subnet : menu.bestFirst()) {
      double ms = Plans.runMillis(latency, subnet, head);
      if (ms <= slack) {
        return new Batch(subnet, head, ms, "greedy: most accurate within slack");
      }
    }
    return Plans.lateHead(queue, now, menu, latency, limits);
  }
}
