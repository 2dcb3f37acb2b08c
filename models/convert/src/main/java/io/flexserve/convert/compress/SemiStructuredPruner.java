package io.flexserve.convert.compress;

/**
 * 2:4 semi-structured sparsity along the input dimension: in every group of 4 consecutive inputs of
 * each output row, the 2 weights with the lowest score are zeroed. Scores are |W| (magnitude) or,
 * after Wanda (Sun et al., 2023, "A Simple and Effective Pruning Approach for LLMs"), |W_oj|·‖X_j‖₂
 * with X the layer's calibration inputs. The comparison group of Wanda is the output row, so within
 * a 2:4 group only the activation norms of those four inputs matter.
 */
public final class SemiStructuredPruner {
  private SemiStructuredPruner() {}

  /**
   * The 2:4 keep-mask of {@code w [out, in]} ({@code in} a multiple of 4).
   *
   * @param inputNorms ‖X_j‖ per input {@code [in]} for Wanda, or null for magnitude
   * @return {@code [out, in]}, true where the weight is kept; exactly 2 of every 4
   */
  public static boolean[] mask(float[] w, int out, int in, float[] inputNorms) {
    if (in % 4 != 0) {
      throw new IllegalArgumentException(
          "2:4 pruning needs an input dimension divisible by 4, got " + in);
    }
    boolean[] keep = new boolean[out * in];
    double[] score = new double[4];
    for (int o = 0; o < out; o++) {
      for (int g = 0; g < in; g += 4) {
        for (int k = 0; k < 4; k++) {
          double s = Math.abs(w[o * in + g + k]);
          score[k] = inputNorms == null ? s : s * inputNorms[g + k];
        }
        // keep the two largest; ties go to the lower index
        int first = 0;
        for (int k = 1; k < 4; k++) {
          if (score[k] > score[first]) {
            first = k;
          }
        }
        int second = first == 0 ? 1 : 0;
        for (int k = 0; k < 4; k++) {
          if (k != first && score[k] > score[second]) {
            second = k;
          }
        }
        keep[o * in + g + first] = true;
        keep[o * in + g + second] = true;
      }
    }
    return keep;
  }

  /** {@code w} with the weights outside {@code keep} set to zero (a new array). */
  public static float[] apply(float[] w, boolean[] keep) {
    if (w.length != keep.length) {
      throw new IllegalArgumentException(
          "mask of " + keep.length + " for " + w.length + " weights");
    }
    float[] out = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = keep[i] ? w[i] : 0f;
    }
    return out;
  }

  /** Whether every group of 4 consecutive inputs keeps at most 2 weights. */
  public static boolean isTwoFour(boolean[] keep, int out, int in) {
    for (int o = 0; o < out; o++) {
      for (int g = 0; g + 4 <= in; g += 4) {
        int kept = 0;
        for (int k = 0; k < 4; k++) {
          kept += keep[o * in + g + k] ? 1 : 0;
        }
        if (kept > 2) {
          return false;
        }
      }
    }
    return true;
  }
}
