package io.flexserve.server.generation;

import io.flexserve.models.runtime.Sampler;
import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.generation.GenerationTargets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A generation as the scheduler sees it: tokens in, limits, sampling and targets; no HTTP.
 *
 * @param arrivalMillis when the request reached the server, {@link System#nanoTime} in milliseconds
 * @param prompt token ids, BOS included
 * @param maxTokens tokens to generate at most (already clipped to the context)
 * @param logprobs top alternatives to report per token, or null for none
 * @param adjustments penalties and logit bias applied before sampling
 * @param eoraRank {@code X-EoRA-Rank}: run with the compensation at this rank (0: off); empty lets
 *     the router choose
 * @param timeoutMillis from arrival, when to give up: the generation leaves its batch and the
 *     client gets 504 (or, in a stream already started, an error chunk)
 */
public record GenerationRequest(
    double arrivalMillis,
    long[] prompt,
    int maxTokens,
    Sampler.Params sampling,
    List<String> stop,
    Integer logprobs,
    LogitAdjustments adjustments,
    GenerationTargets targets,
    Optional<String> forcedSubnet,
    DeadlinePolicy policy,
    OptionalInt eoraRank,
    double timeoutMillis) {

  /**
   * A generation whose targets, forced sub-network, deadline policy and timeout come from the
   * request's routing choices ({@code X-*} headers, or the protocol's parameters).
   */
  public static GenerationRequest routed(
      double arrivalMillis,
      long[] prompt,
      int maxTokens,
      Sampler.Params sampling,
      List<String> stop,
      Integer logprobs,
      LogitAdjustments adjustments,
      io.flexserve.server.request.RoutingHeaders routing,
      OptionalInt eoraRank,
      double timeoutMillis) {
    return new GenerationRequest(
        arrivalMillis,
        prompt,
        maxTokens,
        sampling,
        stop,
        logprobs,
        adjustments,
        new GenerationTargets(
            box(routing.latencyTargetMillis()),
            box(routing.ttftTargetMillis()),
            box(routing.tpotTargetMillis())),
        routing.forcedSubnet(),
        routing.deadlinePolicy(),
        eoraRank,
        timeoutMillis);
  }

  private static Double box(java.util.OptionalDouble v) {
    return v.isPresent() ? v.getAsDouble() : null;
  }

  /** Whether the timeout passed at {@code nowMillis}. */
  boolean timedOut(double nowMillis) {
    return nowMillis - arrivalMillis > timeoutMillis;
  }
}
