package io.flexserve.models.vision;

/**
 * What a vision run returns for a batch of images.
 *
 * @param images B
 * @param summary {@code [B, C·H]} row-major: per image the CLS tokens' final states, concatenated
 * @param features {@code [B, N, H]} row-major: per image the patch tokens (NLC, row-major over the
 *     grid)
 */
public record VisionOutput(int images, float[] summary, float[] features) {
  public int summaryWidth() {
    return summary.length / images;
  }

  /** Image {@code i}'s summary. */
  public float[] summary(int i) {
    int w = summaryWidth();
    return java.util.Arrays.copyOfRange(summary, i * w, (i + 1) * w);
  }

  /** Image {@code i}'s patch features, {@code [N, H]} (NLC). */
  public float[] features(int i) {
    int w = features.length / images;
    return java.util.Arrays.copyOfRange(features, i * w, (i + 1) * w);
  }

  /**
   * {@code [N, H]} → {@code [H, g, g]} (NCHW without the batch axis), for a square grid of side
   * {@code grid}.
   */
  public static float[] toChannelsFirst(float[] nlc, int grid, int hidden) {
    float[] out = new float[nlc.length];
    int n = grid * grid;
    for (int t = 0; t < n; t++) {
      for (int d = 0; d < hidden; d++) {
        out[d * n + t] = nlc[t * hidden + d];
      }
    }
    return out;
  }
}
