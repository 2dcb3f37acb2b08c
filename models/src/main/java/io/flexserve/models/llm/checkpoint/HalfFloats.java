package io.flexserve.models.llm.checkpoint;

/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) conversions, written out because {@code
 * Float.float16ToFloat} only arrived in Java 20. Float to half rounds to nearest, ties to even, as
 * PyTorch's {@code .half()} and {@code .bfloat16()} do, so a checkpoint we write holds the values
 * PyTorch would have stored.
 */
final class HalfFloats {
  private HalfFloats() {}

  static float f16ToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float subnormal = mantissa * 0x1p-24f;
      return sign == 0 ? subnormal : -subnormal;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  static short floatToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) {
      int nan = abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0;
      return (short) (sign | 0x7c00 | nan);
    }
    if (abs >= 0x477ff000) {
      return (short) (sign | 0x7c00); // 65520 and above round past the largest half, 65504
    }
    if (abs < 0x38800000) {
      // Below 2^-14: a subnormal half in units of 2^-24; rint rounds ties to even, and 1024 units
      // is the
      // smallest normal half, whose bit pattern is exactly 0x0400.
      return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24));
    }
    int half = ((((abs >>> 23) - 112)) << 10) | ((abs & 0x7fffff) >>> 13);
    int rest = abs & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++; // a carry out of the mantissa correctly bumps the exponent
    }
    return (short) (sign | half);
  }

  static float bf16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x40); // keep NaN a (quiet) NaN
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }
}
