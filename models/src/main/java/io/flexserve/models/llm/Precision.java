package io.flexserve.models.llm;

import java.util.Locale;

/**
 * The number format a menu entry's linear layers and LM head run in: float32 {@code Gemm} over the
 * bundle's float weights, or ONNX Runtime's {@code com.microsoft.MatMulNBits} over its packed 8- or
 * 4-bit codes.
 *
 * @param bits 32, 8 or 4
 * @param block quantization block along the input dimension (0 for float32)
 * @param accuracyLevel MatMulNBits' compute type: 4 quantizes each activation block to int8 and
 *     multiplies in integers (about 3× a float32 Gemm for one decode row, BENCHMARKS.md), 0
 *     dequantizes to float32 (exact up to float rounding, slower than float32 itself)
 */
public record Precision(int bits, int block, int accuracyLevel) {
  public static final Precision FP32 = new Precision(32, 0, 0);

  /** The accuracy level served: the fastest, measured. */
  public static final int SERVED_ACCURACY_LEVEL = 4;

  public Precision {
    if (bits != 32 && bits != 8 && bits != 4) {
      throw new IllegalArgumentException("precision bits must be 32, 8 or 4, got " + bits);
    }
    if (bits != 32 && (block < 16 || block > 128 || Integer.bitCount(block) != 1)) {
      throw new IllegalArgumentException(
          "quantization block must be 16, 32, 64 or 128, got " + block);
    }
  }

  /** MatMulNBits at {@code bits} in blocks of {@code block}, at the served accuracy level. */
  public static Precision quantized(int bits, int block) {
    return new Precision(bits, block, SERVED_ACCURACY_LEVEL);
  }

  /**
   * The precision a manifest label names: {@code fp32}, {@code int8} or {@code int4} (null reads as
   * fp32, the only precision of bundles written before precision was recorded).
   */
  public static Precision parse(String label, int block) {
    String l = label == null ? "fp32" : label.toLowerCase(Locale.ROOT);
    return switch (l) {
      case "fp32" -> FP32;
      case "int8" -> quantized(8, block);
      case "int4" -> quantized(4, block);
      default ->
          throw new IllegalArgumentException(
              "unknown precision '" + label + "' (fp32, int8 or int4)");
    };
  }

  public boolean isQuantized() {
    return bits < 32;
  }

  /** {@code fp32}, {@code int8} or {@code int4}. */
  public String label() {
    return bits == 32 ? "fp32" : "int" + bits;
  }
}
