package io.flexserve.models.weights;

/**
 * Asymmetric 4- or 8-bit quantization in blocks of {@code block} consecutive inputs, laid out
 * exactly as ONNX Runtime's {@code com.microsoft.MatMulNBits} reads it, so the packed arrays are
 * its B, scales and zero_points:
 *
 * <pre>
 *   B            uint8 [N, k_blocks, block · bits / 8]  N = out, k_blocks = ceil(K / block), K = in; for 4 bits two
 *                                                      codes per byte, the lower-index code in the low nibble; the
 *                                                      last block zero-padded
 *   scales       float [N, k_blocks]
 *   zero_points  uint8 [N, zpRow]                      4 bits: zpRow = ceil(k_blocks / 2), two per byte, low nibble
 *                                                      first; 8 bits: zpRow = k_blocks, one per byte
 * </pre>
 *
 * and w = (code − zero_point) · scale. Each block's range is widened to include 0, so an exact zero
 * (a pruned weight) stays exactly zero. Rows are independent, so the first n rows of each array are
 * the quantization of W's first n rows: a sub-network that keeps a prefix of outputs reads a prefix
 * of the file. Checked against ONNX Runtime by {@code QuantizerTest}.
 */
public final class BlockQuantizer {
  private BlockQuantizer() {}

  /** Quantized weights in MatMulNBits layout (see the class comment). */
  public record Packed(
      int bits, int out, int in, int block, byte[] codes, float[] scales, byte[] zeroPoints) {
    public int kBlocks() {
      return (in + block - 1) / block;
    }

    /** Bytes of one block's codes. */
    public int blockBytes() {
      return block * bits / 8;
    }

    /** Zero-point bytes per row. */
    public int zeroPointRow() {
      return BlockQuantizer.zeroPointRow(bits, kBlocks());
    }

    public int code(int o, int i) {
      int at = (o * kBlocks() + i / block) * blockBytes();
      if (bits == 8) {
        return codes[at + i % block] & 0xff;
      }
      int b = codes[at + (i % block) / 2] & 0xff;
      return (i % 2 == 0) ? b & 0x0f : b >>> 4;
    }

    public int zeroPoint(int o, int blk) {
      if (bits == 8) {
        return zeroPoints[o * kBlocks() + blk] & 0xff;
      }
      int b = zeroPoints[o * zeroPointRow() + blk / 2] & 0xff;
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
      return (long) codes.length + 4L * scales.length + zeroPoints.length;
    }
  }

  /**
   * Zero-point bytes per row of {@code kBlocks} blocks: two 4-bit points per byte, or one byte each
   * at 8 bits.
   */
  public static int zeroPointRow(int bits, int kBlocks) {
    return bits == 4 ? (kBlocks + 1) / 2 : kBlocks;
  }

  /**
   * Bytes of an {@code [out, in]} matrix in this layout: codes, a float scale per block and the
   * zero points.
   */
  public static long packedBytes(int out, int in, int bits, int block) {
    long kBlocks = (in + block - 1) / block;
    return out * (kBlocks * block * bits / 8 + 4 * kBlocks + zeroPointRow(bits, (int) kBlocks));
  }

  /**
   * @param w {@code [out, in]}
   * @param bits 4 or 8
   * @param block 16, 32, 64 or 128 (MatMulNBits needs a power of two ≥ 16)
   */
  public static Packed quantize(float[] w, int out, int in, int bits, int block) {
    if (bits != 4 && bits != 8) {
      throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
    }
    if (block < 16 || block > 128 || Integer.bitCount(block) != 1) {
      throw new IllegalArgumentException("block size must be 16, 32, 64 or 128, got " + block);
    }
    int levels = (1 << bits) - 1;
    int kb = (in + block - 1) / block;
    int blockBytes = block * bits / 8;
    byte[] codes = new byte[out * kb * blockBytes];
    float[] scales = new float[out * kb];
    int zpRow = zeroPointRow(bits, kb);
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
        float scale = max > min ? (max - min) / levels : 1f;
        int zp = Math.max(0, Math.min(levels, Math.round(-min / scale)));
        scales[o * kb + blk] = scale;
        if (bits == 8) {
          zeroPoints[o * zpRow + blk] = (byte) zp;
        } else {
          zeroPoints[o * zpRow + blk / 2] |= (byte) (blk % 2 == 0 ? zp : zp << 4);
        }
        // Padding past K keeps code 0: MatMulNBits multiplies it by A's (absent) columns, never
        // reads it as a weight.
        int base = (o * kb + blk) * blockBytes;
        for (int i = from; i < to; i++) {
          int q = Math.max(0, Math.min(levels, Math.round(w[o * in + i] / scale) + zp));
          if (bits == 8) {
            codes[base + i - from] = (byte) q;
          } else {
            codes[base + (i - from) / 2] |= (byte) ((i - from) % 2 == 0 ? q : q << 4);
          }
        }
      }
    }
    return new Packed(bits, out, in, block, codes, scales, zeroPoints);
  }
}
