package io.flexserve.models.compress;

/**
 * Asymmetric int4 quantization in blocks of {@code block} consecutive inputs, laid out exactly as ONNX Runtime's
 * {@code com.microsoft.MatMulNBits} (bits = 4) reads it, so the packed arrays can be its B, scales and zero_points:
 * <pre>
 *   B            uint8 [N, k_blocks, block / 2]   N = out, k_blocks = ceil(K / block), K = in; two codes per byte,
 *                                                 the lower-index code in the low nibble; the last block zero-padded
 *   scales       float [N · k_blocks]
 *   zero_points  uint8 [N · ceil(k_blocks / 2)]   per row, two 4-bit zero points per byte, low nibble first
 * </pre>
 * and w = (code − zero_point) · scale. Each block's range is widened to include 0, so an exact zero (a pruned weight)
 * stays exactly zero. Checked against ONNX Runtime by {@code Int4BlockQuantizerTest}.
 */
public final class Int4BlockQuantizer {
  private Int4BlockQuantizer() {}

  /** Quantized weights in MatMulNBits layout (see the class comment). */
  public record Int4Weights(int out, int in, int block, byte[] packed, float[] scales, byte[] zeroPoints) {
    public int kBlocks() {
      return (in + block - 1) / block;
    }

    public int code(int o, int i) {
      int b = packed[(o * kBlocks() + i / block) * (block / 2) + (i % block) / 2] & 0xff;
      return (i % 2 == 0) ? b & 0x0f : b >>> 4;
    }

    public int zeroPoint(int o, int blk) {
      int b = zeroPoints[o * ((kBlocks() + 1) / 2) + blk / 2] & 0xff;
      return (blk % 2 == 0) ? b & 0x0f : b >>> 4;
    }

    /** The float weights the codes stand for, {@code [out, in]}. */
    public float[] dequantize() {
      int kb = kBlocks();
      float[] w = new float[out * in];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          int blk = i / block;
          w[o * in + i] = (code(o, i) - zeroPoint(o, blk)) * scales[o * kb + blk];
        }
      }
      return w;
    }

    /** Bytes of B, scales (float32) and zero points. */
    public long bytes() {
      return (long) packed.length + 4L * scales.length + zeroPoints.length;
    }
  }

  /**
   * @param w {@code [out, in]}
   * @param block 16, 32, 64 or 128 (MatMulNBits needs a power of two ≥ 16)
   */
  public static Int4Weights quantize(float[] w, int out, int in, int block) {
    if (block < 16 || Integer.bitCount(block) != 1) {
      throw new IllegalArgumentException("int4 block size must be a power of two >= 16, got " + block);
    }
    int kb = (in + block - 1) / block;
    byte[] packed = new byte[out * kb * block / 2];
    float[] scales = new float[out * kb];
    int zpRow = (kb + 1) / 2;
    byte[] zeroPoints = new byte[out * zpRow];
    for (int o = 0; o < out; o++) {
      for (int blk = 0; blk < kb; blk++) {
        int from = blk * block;
        int to = Math.min(in, from + block);
        float min = 0;
        float max = 0;
        for (int i = from; i < to; i++) {
          min = Math.min(min, w[o * in + i]);
          max = Math.max(max, w[o * in + i]);
        }
        float scale = max > min ? (max - min) / 15f : 1f;
        int zp = Math.max(0, Math.min(15, Math.round(-min / scale)));
        scales[o * kb + blk] = scale;
        zeroPoints[o * zpRow + blk / 2] |= (byte) (blk % 2 == 0 ? zp : zp << 4);
        // Padding past K keeps code 0: MatMulNBits multiplies it by A's (absent) columns, never reads it as a weight.
        for (int i = from; i < to; i++) {
          int q = Math.max(0, Math.min(15, Math.round(w[o * in + i] / scale) + zp));
          int at = (o * kb + blk) * (block / 2) + (i - from) / 2;
          packed[at] |= (byte) ((i - from) % 2 == 0 ? q : q << 4);
        }
      }
    }
    return new Int4Weights(out, in, block, packed, scales, zeroPoints);
  }
}
