package io.flexserve.models.weights;

/** Operations on row-major float matrices that weight import and nesting need. */
public final class RowMajor {
  private RowMajor() {}

  /** {@code [rows, cols]} → {@code [cols, rows]}. */
  public static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  /**
   * Gathers blocks of {@code blockSize} consecutive floats: new block i = old block {@code
   * order[i]}. How heads and neurons are put into importance order; {@code order} must be a
   * permutation.
   */
  public static float[] permuteBlocks(float[] m, int[] order, int blockSize) {
    if ((long) order.length * blockSize != m.length) {
      throw new IllegalArgumentException(
          "permutation of "
              + order.length
              + " blocks × "
              + blockSize
              + " does not cover "
              + m.length
              + " floats");
    }
    boolean[] seen = new boolean[order.length];
    float[] out = new float[m.length];
    for (int i = 0; i < order.length; i++) {
      if (seen[order[i]]) {
        throw new IllegalArgumentException("not a permutation: " + order[i] + " appears twice");
      }
      seen[order[i]] = true;
      System.arraycopy(m, order[i] * blockSize, out, i * blockSize, blockSize);
    }
    return out;
  }
}
