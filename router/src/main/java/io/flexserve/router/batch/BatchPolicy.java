package io.flexserve.router.batch;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import java.util.List;

/**
 * Chooses the next run when a worker is free.
 *
 * <p>Contract shared by every implementation: the batch starts with the head of {@code queue} (the
 * most urgent request) and holds only requests of the head's batch class (see {@link Pending}),
 * taken in queue order; forced requests run on their forced sub-network; untargeted requests run on
 * the most accurate one.
 */
public interface BatchPolicy {

  /** Stable name used in configuration and metrics. */
  String name();

  /**
   * @param queue waiting requests in deadline order ({@link Pending#byDeadline}), not empty; every
   *     forced sub-network in it exists in {@code menu} (admission checked)
   * @param nowMillis current time on the clock the deadlines use
   * @param arrivalsPerMilli recent arrival rate ({@link ArrivalRate}): what will join the queue
   *     while a run executes
   * @return the run to start now
   */
  default Batch next(
      List<Pending> queue,
      double nowMillis,
      double arrivalsPerMilli,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
    Batch fixed = Plans.fixedRoute(queue, nowMillis, menu, latency, limits);
    return fixed != null
        ? fixed
        : forTargetedHead(queue, nowMillis, arrivalsPerMilli, menu, latency, limits);
  }

  /**
   * The policy's own decision, for a queue whose head has a target and no forced sub-network
   * (forced and untargeted heads are routed by {@link #next} the same way for every policy).
   * Parameters as for {@link #next}.
   */
  Batch forTargetedHead(
      List<Pending> queue,
      double nowMillis,
      double arrivalsPerMilli,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits);
}
