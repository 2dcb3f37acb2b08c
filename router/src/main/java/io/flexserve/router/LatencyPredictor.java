package io.flexserve.router;

/** Predicts how long one run of a sub-network takes for a batch of the given padded size. */
@FunctionalInterface
public interface LatencyPredictor {

  /**
   * @param subnet the sub-network that would run
   * @param paddedTokens batch size × padded sequence length of the run
   * @return predicted run time in milliseconds, finite and non-negative
   */
  double predictMillis(SubnetProfile subnet, int paddedTokens);

  /** The load-time profile as measured, never corrected. */
  LatencyPredictor PROFILE = SubnetProfile::predictMillis;
}
