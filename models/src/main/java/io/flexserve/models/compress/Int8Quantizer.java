package io.flexserve.models.compress;

/**
 * Symmetric int8 quantization per output channel: row o of W {@code [out, in]} gets scale s_o = max|W_o·| / 127 and
 * codes q = round(w / s_o) in [−127, 127]; w ≈ q·s_o.
 */
public final class Int8Quantizer {
  private Int8Quantizer() {}

  /**
   * Quantized weights.
   *
   * @param codes {@code [out, in]}
   * @param scales {@code [out]}
   */
  public record Int8Weights(int out, int in, byte[] codes, float[] scales) {
    /** The float weights the codes stand for, {@code [out, in]}. */
    public float[] dequantize() {
      float[] w = new float[out * in];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          w[o * in + i] = codes[o * in + i] * scales[o];
        }
      }
      return w;
    }

    public long bytes() {
      return (long) codes.length + 4L * scales.length;
    }
  }

  public static Int8Weights quantize(float[] w, int out, int in) {
    byte[] codes = new byte[out * in];
    float[] scales = new float[out];
    for (int o = 0; o < out; o++) {
      float max = 0;
      for (int i = 0; i < in; i++) {
        max = Math.max(max, Math.abs(w[o * in + i]));
      }
      float s = max == 0 ? 1f : max / 127f;
      scales[o] = s;
      for (int i = 0; i < in; i++) {
        codes[o * in + i] = (byte) Math.max(-127, Math.min(127, Math.round(w[o * in + i] / s)));
      }
    }
    return new Int8Weights(out, in, codes, scales);
  }
}
