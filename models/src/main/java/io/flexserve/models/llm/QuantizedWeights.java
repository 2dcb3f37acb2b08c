package io.flexserve.models.llm;

import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.weights.BlockQuantizer;
import io.flexserve.models.weights.TensorLocation;
import io.flexserve.models.weights.WeightFileWriter;
import java.util.Locale;
import java.util.Map;

/**
 * The packed MatMulNBits arrays of a quantized bundle in its weight file, beside the float32
 * weights. Every linear layer is stored in Hugging Face orientation W {@code [out, in]} (o and down
 * too, unlike their float32 copies) and quantized in blocks along its input, in the bundle's
 * importance order:
 *
 * <pre>
 *   &lt;key&gt;.nb         uint8 [out, k_blocks, block·bits/8]   codes
 *   &lt;key&gt;.nb_scales  float [out, k_blocks]
 *   &lt;key&gt;.nb_zp      uint8 [out, zpRow]                  zero points
 * </pre>
 *
 * with {@code key = l<i>.<q|k|v|o|gate|up|down>} or {@code lm_head}. A sub-network that keeps the
 * first n outputs (q, k, v, gate, up) reads the first n rows of each array, a file prefix; one that
 * keeps the first n inputs (o, down) reads the first ceil(n / block) blocks of every row, which its
 * graph slices out of the full arrays (ONNX Runtime folds the slice into a constant before
 * pre-packing).
 */
public final class QuantizedWeights {
  public static final String LM_HEAD = "lm_head";

  /**
   * Bits of the quantized LM head, whatever the linear layers': with an int4 head,
   * tinystories-260k's int4 + EoRA r16 entry was 4.96 % above fp32's held-out perplexity, with an
   * int8 head 2.26 % (BENCHMARKS.md). llama.cpp keeps its output tensor above 4 bits for the same
   * reason: the head reads the whole hidden state into every logit, and its errors land directly on
   * them.
   */
  public static final int HEAD_BITS = 8;

  /**
   * The precision the LM head runs in beside linear layers in {@code precision}: {@link
   * #HEAD_BITS}, same block.
   */
  public static Precision headPrecision(Precision precision) {
    return new Precision(HEAD_BITS, precision.block(), precision.accuracyLevel());
  }

  private QuantizedWeights() {}

  /** The key of one linear layer's arrays. */
  public static String key(int layer, Linear linear) {
    return WeightLayout.layerKey(layer, linear.name().toLowerCase(Locale.ROOT));
  }

  static String codes(String key) {
    return key + ".nb";
  }

  static String scales(String key) {
    return key + ".nb_scales";
  }

  static String zeroPoints(String key) {
    return key + ".nb_zp";
  }

  /**
   * Appends every array of {@code packed} to {@code out}, recording where each landed in {@code
   * at}.
   */
  public static void write(
      Map<String, BlockQuantizer.Packed> packed,
      WeightFileWriter out,
      Map<String, TensorLocation> at) {
    for (Map.Entry<String, BlockQuantizer.Packed> e : packed.entrySet()) {
      at.put(codes(e.getKey()), out.write(e.getValue().codes()));
      at.put(scales(e.getKey()), out.write(e.getValue().scales()));
      at.put(zeroPoints(e.getKey()), out.write(e.getValue().zeroPoints()));
    }
  }
}
