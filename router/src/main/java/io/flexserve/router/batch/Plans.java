package io.flexserve.router.batch;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Steps every batch policy shares: the head's batch class, forced and untargeted runs, the fastest
 * sub-network.
 */
final class Plans {
  private Plans() {}

  /** Requests of the head's batch class, in queue order. */
  static List<Pending> headClass(List<Pending> queue) {
    if (queue.isEmpty()) {
      throw new IllegalArgumentException("no batch from an empty queue");
    }
    String cls = queue.get(0).batchClass();
    List<Pending> members = new ArrayList<>();
    for (Pending p : queue) {
      if (p.batchClass().equals(cls)) {
        members.add(p);
      }
    }
    return members;
  }

  /** The longest prefix of {@code members} within {@code limits} (at least the head). */
  static List<Pending> longestPrefix(List<Pending> members, BatchLimits limits) {
    return longestPrefix(members, limits, prefix -> true);
  }

  /**
   * The longest prefix of {@code members} within {@code limits} for which {@code ok} holds, grown
   * one request at a time and stopping at the first that fails; at least the head, which is always
   * taken.
   */
  static List<Pending> longestPrefix(
      List<Pending> members, BatchLimits limits, Predicate<List<Pending>> ok) {
    int n = 1;
    while (n < members.size()
        && limits.fits(members.subList(0, n + 1))
        && ok.test(members.subList(0, n + 1))) {
      n++;
    }
    return members.subList(0, n);
  }

  /**
   * Runs forced and untargeted heads, which no policy may re-route: forced ones on their
   * sub-network, untargeted ones on the most accurate, each with as many same-class requests as the
   * limits (and, when forced with a target, the head's slack) allow. Returns null for a targeted,
   * unforced head: the policy decides.
   */
  static Batch fixedRoute(
      List<Pending> queue,
      double now,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    List<Pending> members = headClass(queue);
    Pending head = members.get(0);
    if (head.forcedSubnet().isPresent()) {
      SubnetProfile subnet =
          menu.find(head.forcedSubnet().get())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "forced sub-network '"
                              + head.forcedSubnet().get()
                              + "' is not on the menu"));
      List<Pending> batch =
          head.deadlineMillis().isPresent()
              ? longestWithin(
                  members, subnet, head.deadlineMillis().getAsDouble() - now, latency, limits)
              : longestPrefix(members, limits);
      return new Batch(subnet, batch, runMillis(latency, subnet, batch), "forced by X-Subnet");
    }
    if (head.deadlineMillis().isEmpty()) {
      List<Pending> batch = longestPrefix(members, limits);
      SubnetProfile best = menu.best();
      return new Batch(best, batch, runMillis(latency, best, batch), "no target: most accurate");
    }
    return null;
  }

  /**
   * The longest prefix that {@code subnet} finishes within {@code slack}; the head alone when none
   * does.
   */
  static List<Pending> longestWithin(
      List<Pending> members,
      SubnetProfile subnet,
      double slack,
      LatencyPredictor latency,
      BatchLimits limits) {
    return longestPrefix(members, limits, prefix -> runMillis(latency, subnet, prefix) <= slack);
  }

  /**
   * Predicted worker time of {@code run} merged on {@code subnet}: the run itself, plus the
   * server's own time for each of its requests ({@link LatencyPredictor#perRequestMillis()}).
   */
  static double runMillis(LatencyPredictor latency, SubnetProfile subnet, List<Pending> run) {
    return latency.runMillis(subnet, Batch.paddedTokens(run), run.size());
  }

  /**
   * The sub-network with the lowest predicted time for {@code paddedTokens}; ties go to the more
   * accurate.
   */
  static SubnetProfile fastest(ModelMenu menu, LatencyPredictor latency, int paddedTokens) {
    SubnetProfile fastest = null;
    double best = Double.POSITIVE_INFINITY;
    for (SubnetProfile s : menu.bestFirst()) {
      double ms = latency.predictMillis(s, paddedTokens);
      if (ms < best) {
        best = ms;
        fastest = s;
      }
    }
    return fastest;
  }

  /** Predicted time of {@code run} merged, on the sub-network fastest for its size. */
  static double fastestMillis(List<Pending> run, ModelMenu menu, LatencyPredictor latency) {
    return runMillis(latency, fastest(menu, latency, Batch.paddedTokens(run)), run);
  }

  /**
   * What every policy does once the head cannot make its deadline: it and every other request of
   * its class that is already past saving (cannot finish in time even alone on the fastest
   * sub-network) run together on the fastest, within the limits. Running them one by one would fall
   * further behind with each run; one batch clears the backlog at the highest throughput the menu
   * offers.
   */
  static Batch lateHead(
      List<Pending> queue,
      double now,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    List<Pending> late =
        longestPrefix(
            headClass(queue),
            limits,
            prefix -> pastSaving(prefix.get(prefix.size() - 1), now, menu, latency));
    SubnetProfile fastest = fastest(menu, latency, Batch.paddedTokens(late));
    return new Batch(
        fastest, late, runMillis(latency, fastest, late), "target unreachable: fastest");
  }

  private static boolean pastSaving(
      Pending p, double now, ModelMenu menu, LatencyPredictor latency) {
    return now + fastestMillis(List.of(p), menu, latency)
        > p.deadlineMillis().orElse(Double.POSITIVE_INFINITY);
  }
}
