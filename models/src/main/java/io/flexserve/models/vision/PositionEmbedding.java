package io.flexserve.models.vision;

/**
 * Resamples a ViT's stored position-embedding grid to another patch grid the way RADIO does at
 * inference ({@code F.interpolate(mode="bilinear", align_corners=False)}), in double precision.
 */
public final class PositionEmbedding {
  private PositionEmbedding() {}

  /**
   * @param pos {@code [from·from, H]} row-major over (row, column)
   * @return {@code [to·to, H]}; {@code pos} itself when the grids match
   */
  public static float[] resample(float[] pos, int from, int to, int hidden) {
    if (from == to) {
      return pos;
    }
    float[] out = new float[to * to * hidden];
    for (int y = 0; y < to; y++) {
      Axis ay = Axis.of(y, from, to);
      for (int x = 0; x < to; x++) {
        Axis ax = Axis.of(x, from, to);
        int o = (y * to + x) * hidden;
        int p00 = (ay.lo * from + ax.lo) * hidden;
        int p01 = (ay.lo * from + ax.hi) * hidden;
        int p10 = (ay.hi * from + ax.lo) * hidden;
        int p11 = (ay.hi * from + ax.hi) * hidden;
        for (int d = 0; d < hidden; d++) {
          double top = pos[p00 + d] * (1 - ax.t) + pos[p01 + d] * ax.t;
          double bottom = pos[p10 + d] * (1 - ax.t) + pos[p11 + d] * ax.t;
          out[o + d] = (float) (top * (1 - ay.t) + bottom * ay.t);
        }
      }
    }
    return out;
  }

  /**
   * Source neighbours and weight of one output coordinate (PyTorch's half-pixel rule, clamped at
   * the edges).
   */
  private record Axis(int lo, int hi, double t) {
    static Axis of(int i, int from, int to) {
      double src = Math.max(0, (i + 0.5) * from / to - 0.5);
      int lo = Math.min((int) Math.floor(src), from - 1);
      int hi = Math.min(lo + 1, from - 1);
      return new Axis(lo, hi, src - lo);
    }
  }
}
