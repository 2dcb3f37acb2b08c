package io.flexserve.server.vision;

/**
 * One image's outputs from one variant.
 *
 * @param summary {@code [C·H]}: the CLS tokens' final states, concatenated
 * @param features {@code [N, H]} (NLC), N = grid × grid
 * @param grid patch-grid side at the variant's resolution
 */
public record ImageFeatures(float[] summary, float[] features, int grid) {
  /** Bytes held, for the cache's weigher. */
  public long bytes() {
    return 4L * (summary.length + features.length) + 64;
  }

  public int hidden() {
    return features.length / (grid * grid);
  }
}
