package io.flexserve.router.sim;

import java.util.Map;

/**
 * What one simulated run produced, judged as the load tester judges a real one.
 *
 * @param sent requests in the trace
 * @param served requests answered with embeddings
 * @param rejected requests refused at admission (429), by reason
 * @param met served requests with a target that finished within it, plus served requests without a
 *     target
 * @param sloAttainment {@code met / sent}: refusals and late answers both count against it
 * @param goodputPerSecond {@code met} per second of trace
 * @param meanQuality mean quality of the sub-networks that served the served requests
 * @param p50Millis median client latency of served requests
 * @param p99Millis 99th percentile client latency of served requests
 * @param subnetShare served requests by sub-network
 * @param meanBatchRequests mean requests per inference run
 */
public record SimReport(
    String policy,
    int sent,
    int served,
    Map<String, Integer> rejected,
    int met,
    double sloAttainment,
    double goodputPerSecond,
    double meanQuality,
    double p50Millis,
    double p99Millis,
    Map<String, Integer> subnetShare,
    double meanBatchRequests) {
  public SimReport {
    rejected = Map.copyOf(rejected);
    subnetShare = Map.copyOf(subnetShare);
  }

  public int rejectedTotal() {
    return rejected.values().stream().mapToInt(Integer::intValue).sum();
  }
}
