package io.flexserve.convert.compress;

/**
 * The uncentred second moment C = XᵀX / n of one linear layer's input activations X {@code [n,
 * in]}, accumulated one calibration window at a time in double precision. EoRA's eigenspace is C's;
 * Wanda's per-input norm is ‖X_j‖ = sqrt(n·C_jj). Mutable: feed it from one thread.
 */
public final class Gram {
  private final int dim;
  private final double[] sum; // [in, in] Σ_tokens x·xᵀ (upper triangle filled, mirrored on read)
  private long tokens;

  public Gram(int dim) {
    this.dim = dim;
    this.sum = new double[dim * dim];
  }

  /** Adds {@code rows} activation vectors {@code x [rows, in]} (row-major). */
  public void add(float[] x, int rows) {
    if ((long) rows * dim > x.length) {
      throw new IllegalArgumentException(
          rows + " rows of " + dim + " exceed " + x.length + " floats");
    }
    double[] row = new double[dim];
    for (int t = 0; t < rows; t++) {
      for (int i = 0; i < dim; i++) {
        row[i] = x[t * dim + i];
      }
      for (int i = 0; i < dim; i++) {
        double xi = row[i];
        if (xi == 0) {
          continue;
        }
        int base = i * dim;
        for (int j = i; j < dim; j++) {
          sum[base + j] += xi * row[j];
        }
      }
    }
    tokens += rows;
  }

  public int dim() {
    return dim;
  }

  public long tokens() {
    return tokens;
  }

  /** C = XᵀX / n, {@code [in, in]} row-major, symmetric. */
  public double[] covariance() {
    if (tokens == 0) {
      throw new IllegalStateException("no activations were added");
    }
    double[] c = new double[dim * dim];
    for (int i = 0; i < dim; i++) {
      for (int j = i; j < dim; j++) {
        double v = sum[i * dim + j] / tokens;
        c[i * dim + j] = v;
        c[j * dim + i] = v;
      }
    }
    return c;
  }

  /** ‖X_j‖₂ over every token seen, per input j: Wanda's activation norm. */
  public float[] columnNorms() {
    float[] n = new float[dim];
    for (int j = 0; j < dim; j++) {
      n[j] = (float) Math.sqrt(sum[j * dim + j]);
    }
    return n;
  }
}
