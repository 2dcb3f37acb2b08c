package io.flexserve.router.generation;

import java.util.List;

/**
 * Online correction of the load-time decoder profiles. A generation's real time per token includes
 * what the profile's bare session steps do not: sampling, detokenizing, batch bookkeeping, the HTTP
 * threads competing for the cores. Each finished generation reports its observed and predicted time
 * per token; the correction is an exponentially weighted mean of observed/predicted, clamped, and
 * scales every profile the router sees. Not thread-safe: the owner serialises access.
 */
public final class StepTimeCorrection {
  private static final double WEIGHT = 0.2;
  private static final double MIN = 0.5;
  private static final double MAX = 8;

  private double factor = 1;
  private int observations;

  /**
   * Records one generation: its mean observed time per output token and the router's prediction for
   * it.
   */
  public void observe(double predictedTpotMs, double observedTpotMs) {
    if (!(predictedTpotMs > 0) || !(observedTpotMs > 0)) {
      return;
    }
    double ratio = Math.max(MIN, Math.min(MAX, observedTpotMs / predictedTpotMs));
    // The prediction was already corrected by `factor`: the new evidence is about the bare profile.
    double bare = Math.max(MIN, Math.min(MAX, ratio * factor));
    factor = observations == 0 ? bare : (1 - WEIGHT) * factor + WEIGHT * bare;
    observations++;
  }

  public double factor() {
    return factor;
  }

  /** {@code profiles} with every cost scaled by the current factor. */
  public List<DecoderProfile> apply(List<DecoderProfile> profiles) {
    return profiles.stream()
        .map(
            p ->
                new DecoderProfile(
                    p.name(),
                    p.prefillMsPerToken() * factor,
                    p.decodeMs() * factor,
                    p.decodeMsPerExtraRow() * factor,
                    p.perplexity()))
        .toList();
  }
}
