package io.flexserve.loadtest.report;

import java.util.Objects;

/**
 * The requests of one endpoint kind in a run ({@link Report#endpoints()}).
 *
 * @param sent requests sent
 * @param ok 2xx responses
 * @param rejected 429 responses
 * @param errors other statuses, timeouts and transport errors
 * @param good 2xx within their own latency target (any 2xx without one)
 * @param serverVerdicts 2xx whose server verdict ({@code X-Deadline-Met} or {@code
 *     flexserve.deadline_met}) was given
 * @param serverMet of those, how many were met
 * @param latency end-to-end latency of the 2xx
 * @param ttft client-measured time to first token of the 2xx streams (from the intended send time);
 *     empty otherwise
 * @param interToken times between consecutive text chunks of the 2xx streams, pooled over all of
 *     them
 * @param tokens generated tokens over the 2xx (usage, see {@link GenerationRecord#tokens()}); 0 for
 *     embeddings
 */
public record EndpointStats(
    long sent,
    long ok,
    long rejected,
    long errors,
    long good,
    long serverVerdicts,
    long serverMet,
    LatencySummary latency,
    LatencySummary ttft,
    LatencySummary interToken,
    long tokens) {
  public EndpointStats {
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(ttft, "ttft");
    Objects.requireNonNull(interToken, "interToken");
    if (ok + rejected + errors != sent || good > ok || serverMet > serverVerdicts) {
      throw new IllegalArgumentException(
          "inconsistent endpoint counts: sent="
              + sent
              + " ok="
              + ok
              + " rejected="
              + rejected
              + " errors="
              + errors
              + " good="
              + good);
    }
  }

  /** Generated tokens per second of the run's duration; 0 when the duration is 0. */
  public double tokensPerSecond(double durationSeconds) {
    return durationSeconds > 0 ? tokens / durationSeconds : 0;
  }
}
