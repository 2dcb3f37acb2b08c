package io.flexserve.router.generation;

import java.util.List;

/**
 * Chooses the sub-network a generation runs on: the most accurate one whose predicted time to first
 * token, time per output token and total time meet the request's targets, given what the scheduler
 * is already running.
 *
 * <p>Cost model (one scheduler thread runs every batch in turn): a new request waits for the step
 * in flight, then its prefill; afterwards each of its tokens costs one step of its own
 * sub-network's batch (with it added) plus the steps of the other batches running alongside. Pure
 * logic, no clocks.
 */
public final class GenerationRouter {
  private GenerationRouter() {}

  /**
   * The predicted times of a choice and whether they meet the targets.
   *
   * @param profile the chosen sub-network
   * @param meets every given target is met by the prediction
   */
  public record Choice(
      DecoderProfile profile, double ttftMs, double tpotMs, double totalMs, boolean meets) {}

  /**
   * What is running when the request arrives.
   *
   * @param inFlightStepMs remaining time of the step being computed (a prefill waits for it)
   * @param prefillQueueMs prefills already waiting ahead of this one
   * @param rowsPerSubnet sequences decoding now, by sub-network name
   */
  public record Load(
      double inFlightStepMs, double prefillQueueMs, java.util.Map<String, Integer> rowsPerSubnet) {
    public static final Load IDLE = new Load(0, 0, java.util.Map.of());
  }

  /**
   * @param bestFirst the menu, most accurate first
   * @return the first sub-network meeting all targets; when none does, the fastest (by total time),
   *     marked not meeting
   */
  public static Choice choose(
      List<DecoderProfile> bestFirst,
      int promptTokens,
      int maxTokens,
      GenerationTargets targets,
      Load load) {
    if (bestFirst.isEmpty()) {
      throw new IllegalArgumentException("empty menu");
    }
    Choice fastest = null;
    for (DecoderProfile p : bestFirst) {
      Choice c = predict(p, bestFirst, promptTokens, maxTokens, targets, load);
      if (c.meets()) {
        return c;
      }
      if (fastest == null || c.totalMs() < fastest.totalMs()) {
        fastest = c;
      }
    }
    return fastest;
  }

  static Choice predict(
      DecoderProfile p,
      List<DecoderProfile> menu,
      int promptTokens,
      int maxTokens,
      GenerationTargets t,
      Load load) {
    double ttft =
        load.inFlightStepMs() + load.prefillQueueMs() + promptTokens * p.prefillMsPerToken();
    double others = 0;
    for (DecoderProfile q : menu) {
      int rows = load.rowsPerSubnet().getOrDefault(q.name(), 0);
      if (!q.name().equals(p.name())) {
        others += q.stepMs(rows);
      }
    }
    int own = load.rowsPerSubnet().getOrDefault(p.name(), 0) + 1;
    double tpot = p.stepMs(own) + others;
    double total = ttft + Math.max(0, maxTokens - 1) * tpot;
    return new Choice(p, ttft, tpot, total, t.metBy(ttft, tpot, total));
  }
}
