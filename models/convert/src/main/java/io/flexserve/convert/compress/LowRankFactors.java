package io.flexserve.convert.compress;

/**
 * A rank-R correction B·A of one linear layer {@code [out, in]}: y = W_c·x + B·(A·x). Rank
 * components are sorted by singular value, largest first, so the first r rows of A and the first r
 * columns of B are the best rank-r factors found by the same fit (nested ranks, like nested
 * widths).
 *
 * @param b {@code [out, rank]}
 * @param a {@code [rank, in]}
 */
public record LowRankFactors(int out, int in, int rank, float[] b, float[] a) {
  public LowRankFactors {
    if ((long) out * rank != b.length || (long) rank * in != a.length) {
      throw new IllegalArgumentException(
          "factors of rank "
              + rank
              + " for ["
              + out
              + ", "
              + in
              + "]: b has "
              + b.length
              + " floats, a "
              + a.length);
    }
  }

  /** The product B_r·A_r of the first {@code r} components, {@code [out, in]}. */
  public float[] product(int r) {
    if (r < 0 || r > rank) {
      throw new IllegalArgumentException("rank " + r + " outside 0.." + rank);
    }
    float[] p = new float[out * in];
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < r; k++) {
        float bk = b[o * rank + k];
        if (bk == 0) {
          continue;
        }
        int ak = k * in;
        int po = o * in;
        for (int i = 0; i < in; i++) {
          p[po + i] += bk * a[ak + i];
        }
      }
    }
    return p;
  }

  /**
   * W_c + B_r·A_r: the compensated layer as one dense matrix (how quality is evaluated without a
   * low-rank graph).
   */
  public float[] mergedInto(float[] compressed, int r) {
    float[] p = product(r);
    for (int i = 0; i < p.length; i++) {
      p[i] += compressed[i];
    }
    return p;
  }

  /**
   * Bᵀ {@code [rank, out]}: each rank component's column of B as a row, so that rank r is a prefix
   * of rows.
   */
  public float[] bTransposed() {
    float[] t = new float[b.length];
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < rank; k++) {
        t[k * out + o] = b[o * rank + k];
      }
    }
    return t;
  }

  /** Float32 bytes of the first {@code r} components. */
  public long bytes(int r) {
    return 4L * r * (out + in);
  }
}
