package io.flexserve.convert.llm;

import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.models.llm.DecoderBlocks;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.Linear;
import io.flexserve.models.llm.QuantizedWeights;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.weights.BlockQuantizer;
import io.flexserve.models.weights.TensorLocation;
import io.flexserve.models.weights.WeightFileWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@link DecoderWeights} to one weight file. Keys: {@code embed, lm_head, norm, rope.cos,
 * rope.sin} and per layer {@code l<i>.attn_norm, q, k, v, oT, mlp_norm, gate, up, downT}. A tied LM
 * head is stored once: both keys point at the same bytes. The rotary tables are precomputed here
 * (in double precision, Llama-3 frequency scaling included) so that the graph only gathers rows by
 * position.
 */
public final class DecoderWeightFile {
  private DecoderWeightFile() {}

  public static WeightLayout write(DecoderWeights w, Path file) throws IOException {
    return write(w, Map.of(), file);
  }

  /**
   * Writes {@code w} and, per linear layer, its low-rank compensation factors (keyed as {@link
   * DecoderCompressor} returns them): {@code l<i>.<tensor>.lr_a} = A {@code [R, in]} and {@code
   * l<i>.<tensor>.lr_bt} = Bᵀ {@code [R, out]}, rank-major so that rank r is a prefix of both.
   */
  public static WeightLayout write(DecoderWeights w, Map<String, LowRankFactors> factors, Path file)
      throws IOException {
    return write(w, factors, Map.of(), file);
  }

  /**
   * {@link #write(DecoderWeights, Map, Path)} plus the packed arrays of a quantized bundle ({@link
   * QuantizedWeights}).
   */
  public static WeightLayout write(
      DecoderWeights w,
      Map<String, LowRankFactors> factors,
      Map<String, BlockQuantizer.Packed> packed,
      Path file)
      throws IOException {
    LlamaConfig c = w.config();
    Map<String, TensorLocation> at = new LinkedHashMap<>();
    try (WeightFileWriter out = new WeightFileWriter(file)) {
      TensorLocation embed = out.write(w.embed());
      at.put("embed", embed);
      at.put("lm_head", w.lmHead() == w.embed() ? embed : out.write(w.lmHead()));
      at.put("norm", out.write(w.norm()));
      float[][] rope = ropeTables(c);
      at.put("rope.cos", out.write(rope[0]));
      at.put("rope.sin", out.write(rope[1]));
      for (int l = 0; l < w.layers().size(); l++) {
        DecoderWeights.Layer b = w.layers().get(l);
        at.put(WeightLayout.layerKey(l, "attn_norm"), out.write(b.attnNorm()));
        at.put(WeightLayout.layerKey(l, "q"), out.write(b.q()));
        at.put(WeightLayout.layerKey(l, "k"), out.write(b.k()));
        at.put(WeightLayout.layerKey(l, "v"), out.write(b.v()));
        at.put(WeightLayout.layerKey(l, "oT"), out.write(b.oT()));
        at.put(WeightLayout.layerKey(l, "mlp_norm"), out.write(b.mlpNorm()));
        at.put(WeightLayout.layerKey(l, "gate"), out.write(b.gate()));
        at.put(WeightLayout.layerKey(l, "up"), out.write(b.up()));
        at.put(WeightLayout.layerKey(l, "downT"), out.write(b.downT()));
      }
      for (int l = 0; l < w.layers().size() && !factors.isEmpty(); l++) {
        for (Linear linear : Linear.values()) {
          LowRankFactors f = factors.get(DecoderCompressor.key(l, linear));
          at.put(DecoderBlocks.lowRankA(l, linear), out.write(f.a()));
          at.put(DecoderBlocks.lowRankBt(l, linear), out.write(f.bTransposed()));
        }
      }
      QuantizedWeights.write(packed, out, at);
    }
    return new WeightLayout(file.getFileName().toString(), at);
  }

  /**
   * {@code cos} and {@code sin} of position × inverse frequency, each {@code [maxPositions, headDim
   * / 2]}.
   */
  static float[][] ropeTables(LlamaConfig c) {
    double[] inv = c.inverseFrequencies();
    int half = inv.length;
    float[] cos = new float[c.maxPositions() * half];
    float[] sin = new float[cos.length];
    for (int p = 0; p < c.maxPositions(); p++) {
      for (int i = 0; i < half; i++) {
        double angle = p * inv[i];
        cos[p * half + i] = (float) Math.cos(angle);
        sin[p * half + i] = (float) Math.sin(angle);
      }
    }
    return new float[][] {cos, sin};
  }
}
