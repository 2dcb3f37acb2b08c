package io.flexserve.router.batch;

import io.flexserve.router.LatencyCurve;
import io.flexserve.router.LatencyPoint;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A menu whose latencies are easy to compute by hand. Every request here is one 100-token input, so
 * a batch of b requests is 100·b tokens and costs: full 6 + 4b ms, mid 4 + 2b ms, small 2 + b ms (b
 * ≤ 10).
 */
final class LinearMenu {
  static final String FULL = "full";
  static final String MID = "mid";
  static final String SMALL = "small";
  static final BatchLimits NO_LIMITS = new BatchLimits(1000, 1_000_000);

  private LinearMenu() {}

  static ModelMenu menu() {
    return ModelMenu.of(
        List.of(
            subnet(FULL, 1.0, 1.0, 10, 46),
            subnet(MID, 0.5, 0.9, 6, 24),
            subnet(SMALL, 0.25, 0.7, 3, 12)));
  }

  static SubnetProfile subnet(
      String name, double size, double quality, double ms100, double ms1000) {
    return new SubnetProfile(
        name,
        size,
        quality,
        LatencyCurve.of(List.of(new LatencyPoint(100, ms100), new LatencyPoint(1000, ms1000))));
  }

  static Pending targeted(long id, double deadline) {
    return new Pending(id, 1, 100, 0, OptionalDouble.of(deadline), Optional.empty());
  }

  static Pending untargeted(long id) {
    return new Pending(id, 1, 100, 0, OptionalDouble.empty(), Optional.empty());
  }

  static Pending forced(long id, String subnet, OptionalDouble deadline) {
    return new Pending(id, 1, 100, 0, deadline, Optional.of(subnet));
  }
}
