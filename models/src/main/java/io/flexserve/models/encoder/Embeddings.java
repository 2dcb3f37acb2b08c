package io.flexserve.models.encoder;

import io.flexserve.models.importance.Importance;

/** Vector helpers for comparing embeddings. */
public final class Embeddings {
  private Embeddings() {}

  public static double cosine(float[] a, float[] b) {
    return Importance.cosine(a, b, 0, a.length);
  }

  /** Mean over rows of cos(a[i], b[i]). */
  public static double meanCosine(float[][] a, float[][] b) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException(
          "need equal, non-empty sets of embeddings: " + a.length + " vs " + b.length);
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += cosine(a[i], b[i]);
    }
    return sum / a.length;
  }

  /**
   * Mean pooling over real tokens then L2 normalisation of {@code hidden [S, H]} for one input
   * (reference path).
   */
  public static float[] meanPoolNormalize(float[] hidden, int tokens, int h) {
    double[] sum = new double[h];
    for (int s = 0; s < tokens; s++) {
      for (int j = 0; j < h; j++) {
        sum[j] += hidden[s * h + j];
      }
    }
    double norm = 0;
    for (int j = 0; j < h; j++) {
      sum[j] /= tokens;
      norm += sum[j] * sum[j];
    }
    norm = Math.max(Math.sqrt(norm), 1e-12);
    float[] out = new float[h];
    for (int j = 0; j < h; j++) {
      out[j] = (float) (sum[j] / norm);
    }
    return out;
  }
}
