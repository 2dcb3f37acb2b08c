package io.flexserve.router.batch;

/**
 * Upper bounds on one merged run, whatever the policy wants.
 *
 * @param maxInputs inputs per run
 * @param maxPaddedTokens inputs × padded sequence per run (bounds memory and the latency of one
 *     run)
 */
public record BatchLimits(int maxInputs, int maxPaddedTokens) {
  public BatchLimits {
    if (maxInputs < 1 || maxPaddedTokens < 1) {
      throw new IllegalArgumentException(
          "batch limits must be ≥ 1: maxInputs="
              + maxInputs
              + " maxPaddedTokens="
              + maxPaddedTokens);
    }
  }

  /** Whether {@code requests} merged fit; a single request always fits (it was admitted whole). */
  boolean fits(java.util.List<Pending> requests) {
    return requests.size() == 1
        || (Batch.inputs(requests) <= maxInputs && Batch.paddedTokens(requests) <= maxPaddedTokens);
  }
}
