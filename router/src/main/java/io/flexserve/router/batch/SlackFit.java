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
 * (sub-network, batch = the first b requests of the head's class) whose predicted run time fits in
 * that slack is a candidate; since later requests have later deadlines, whatever meets the head's
 * deadline meets theirs. Among the candidates that also protect the requests behind (below) we take
 * the most accurate sub-network, with the biggest batch it can run in the slack, then the shorter
 * run. At low load that is the full model; as the queue and the arrival rate grow, only smaller
 * sub-networks running bigger batches keep everyone on time, which is exactly the throughput the
 * load needs. (SuperServe's SlackFit prefers the candidate that uses the most slack; with measured,
 * noisy profiles a less accurate sub-network can be the slower one, so quality comes first here.)
 *
 * <p>Look-ahead protects the requests left behind: a candidate is preferred only if, after it, the
 * rest of the head's class and the requests expected to arrive during the run (at the recent
 * arrival rate) could still be drained in time at full speed on the fastest sub-network: the same
 * {@link Drain} that {@link Admission} assumes when it admits. Without this, filling the head's
 * slack would spend time admission had promised to the requests behind it. If no candidate passes,
 * the expected arrivals are dropped from the test, then the queue; if none fits at all, the head is
 * late and runs with the other late requests on the fastest.
 */
final class SlackFit implements BatchPolicy {

  @Override
  public String name() {
    return BatchPolicies.SLACKFIT;
  }

  @Override
  public Batch forTargetedHead(
      List<Pending> queue,
      double now,
      double arrivalsPerMilli,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    List<Pending> members = Plans.headClass(queue);
    double slack = members.get(0).deadlineMillis().getAsDouble() - now;
    // Protect as much as can be protected: queue plus expected arrivals, then the queue, then only
    // the head.
    for (Protect protect : Protect.values()) {
      Batch b = choose(members, now, slack, arrivalsPerMilli, menu, latency, limits, protect);
      if (b != null) {
        return b;
      }
    }
    return Plans.lateHead(queue, now, menu, latency, limits);
  }

  /** How much of what follows the head a candidate must leave on time, strictest first. */
  private enum Protect {
    /** the queued requests and those expected to arrive during the run */
    QUEUE_AND_ARRIVALS,
    /** the queued requests */
    QUEUE,
    /** nothing beyond the batch itself */
    NONE
  }

  private static Batch choose(
      List<Pending> members,
      double now,
      double slack,
      double arrivalsPerMilli,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits,
      Protect protect) {
    Batch best = null;
    for (SubnetProfile subnet : menu.bestFirst()) {
      for (int b = 1; b <= members.size(); b++) {
        List<Pending> batch = members.subList(0, b);
        if (!limits.fits(batch)) {
          break;
        }
        double ms = Plans.runMillis(latency, subnet, batch);
        if (ms > slack) {
          break; // bigger batches on this sub-network only take longer
        }
        if (protect != Protect.NONE) {
          List<Pending> rest = members.subList(b, members.size());
          if (protect == Protect.QUEUE_AND_ARRIVALS) {
            rest = withExpectedArrivals(rest, members.get(0), now, ms, arrivalsPerMilli);
          }
          if (!restFeasible(rest, now + ms, menu, latency, limits)) {
            continue;
          }
        }
        if (best == null || better(ms, subnet, b, best)) {
          best =
              new Batch(
                  subnet,
                  batch,
                  ms,
                  String.format(
                      Locale.ROOT,
                      "slackfit: %d request(s) in %.1f ms of %.1f ms slack",
                      b,
                      ms,
                      slack));
        }
      }
    }
    return best;
  }

  private static boolean better(double ms, SubnetProfile subnet, int b, Batch current) {
    if (subnet.quality() != current.subnet().quality()) {
      return subnet.quality() > current.subnet().quality();
    }
    if (b != current.requests().size()) {
      return b > current.requests().size();
    }
    return ms < current.predictedMillis();
  }

  /**
   * {@code rest} plus the requests that may arrive while a run of {@code runMillis} executes,
   * spread evenly over the run and shaped like {@code head} (same size, same target). Arrivals are
   * bursty, so the count is a high quantile of a Poisson count at the recent rate, mean + 2·√mean
   * (about the 97th percentile), not its mean: a slow, accurate run is only chosen if a burst
   * arriving behind it could still be served in time.
   */
  static List<Pending> withExpectedArrivals(
      List<Pending> rest, Pending head, double now, double runMillis, double perMilli) {
    double mean = perMilli * runMillis;
    int expected = (int) Math.ceil(mean + 2 * Math.sqrt(mean) - 1e-9);
    if (expected == 0 || head.deadlineMillis().isEmpty()) {
      return rest;
    }
    double target = head.deadlineMillis().getAsDouble() - head.admittedAtMillis();
    List<Pending> all = new java.util.ArrayList<>(rest);
    for (int i = 1; i <= expected; i++) {
      double at = now + runMillis * i / (expected + 1);
      all.add(
          new Pending(
              -i,
              head.inputs(),
              head.sequence(),
              at,
              java.util.OptionalDouble.of(at + target),
              java.util.Optional.empty()));
    }
    all.sort(Pending::byDeadline);
    return all;
  }

  /**
   * Whether every request of {@code rest} (deadline order) can still finish in time when drained
   * from {@code start}.
   */
  static boolean restFeasible(
      List<Pending> rest,
      double start,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    double[] finish = Drain.finishTimes(rest, new double[] {start}, menu, latency, limits);
    for (int i = 0; i < finish.length; i++) {
      if (finish[i] > rest.get(i).deadlineMillis().orElse(Double.POSITIVE_INFINITY)) {
        return false;
      }
    }
    return true;
  }
}
