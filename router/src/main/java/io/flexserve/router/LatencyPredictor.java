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

  /**
   * The same prediction at a typical run rather than a slow one: what a run takes at the median,
   * where {@link #predictMillis} is a high quantile that one run should rarely exceed. A queue of
   * runs is predicted with this one: the tail of a sum is far below the sum of the tails, so adding
   * up high quantiles makes a short queue look long and refuses requests it would serve in time.
   * Defaults to this predictor (no spread known).
   */
  default LatencyPredictor typical() {
    return this;
  }

  /**
   * What each request of a run adds to the worker's time besides the run: where the event loop
   * shares the worker's core, the responses of a run are encoded and written, and new requests read
   * and admitted, before the next run can start. Measured online as the gap between runs; about 0
   * where the event loop has a core of its own. Defaults to 0.
   */
  default double perRequestMillis() {
    return 0;
  }

  /**
   * Predicted worker time of {@code requests} requests merged into one run of {@code paddedTokens}
   * on {@code subnet}: the run itself plus each request's own time ({@link #perRequestMillis()}).
   */
  default double runMillis(SubnetProfile subnet, int paddedTokens, int requests) {
    return predictMillis(subnet, paddedTokens) + perRequestMillis() * requests;
  }

  /** The load-time profile as measured, never corrected. */
  LatencyPredictor PROFILE = SubnetProfile::predictMillis;
}
