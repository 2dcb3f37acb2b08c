package io.flexserve.router.batch;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.List;
import java.util.function.Function;

/**
 * The baselines: every targeted run on one sub-network (the largest or the smallest), batched as
 * far as the limits allow, ignoring deadlines.
 */
final class FixedSubnet implements BatchPolicy {
  private final String name;
  private final Function<ModelMenu, SubnetProfile> pick;

  FixedSubnet(String name, Function<ModelMenu, SubnetProfile> pick) {
    this.name = name;
    this.pick = pick;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Batch forTargetedHead(
      List<Pending> queue,
      double now,
      double arrivalsPerMilli,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    SubnetProfile subnet = pick.apply(menu);
    List<Pending> batch = Plans.longestPrefix(Plans.headClass(queue), limits);
    return new Batch(subnet, batch, Plans.runMillis(latency, subnet, batch), name);
  }
}
