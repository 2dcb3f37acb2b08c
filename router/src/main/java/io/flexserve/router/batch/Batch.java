package io.flexserve.router.batch;

import io.flexserve.router.SubnetProfile;
import java.util.List;

/**
 * One run chosen by a policy: these requests, together, on this sub-network.
 *
 * @param requests in deadline order, ≥ 1
 * @param predictedMillis predicted run time for the merged batch
 * @param reason short human explanation, for logs and metrics
 */
public record Batch(
    SubnetProfile subnet, List<Pending> requests, double predictedMillis, String reason) {
  public Batch {
    requests = List.copyOf(requests);
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one request");
    }
  }

  /** Inputs in the merged run. */
  public int inputs() {
    return inputs(requests);
  }

  /** Padded tokens of the merged run: all inputs padded to the longest. */
  public int paddedTokens() {
    return paddedTokens(requests);
  }

  static int inputs(List<Pending> requests) {
    int n = 0;
    for (Pending p : requests) {
      n += p.inputs();
    }
    return n;
  }

  static int paddedTokens(List<Pending> requests) {
    int sequence = 0;
    for (Pending p : requests) {
      sequence = Math.max(sequence, p.sequence());
    }
    return inputs(requests) * sequence;
  }
}
