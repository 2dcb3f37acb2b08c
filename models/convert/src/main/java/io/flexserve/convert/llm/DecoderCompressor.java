package io.flexserve.convert.llm;

import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.compress.Eora;
import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.convert.compress.MaskLlmMasks;
import io.flexserve.convert.compress.SemiStructuredPruner;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.Linear;
import io.flexserve.models.llm.QuantizedWeights;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.weights.BlockQuantizer;
import io.flexserve.models.weights.RowMajor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Applies a {@link CompressionPlan} to every linear layer of a decoder and fits the low-rank
 * compensation of each. Works in the checkpoint's own order of neurons and heads (before {@link
 * DecoderWeights#permute}), so that MaskLLM masks and calibration statistics line up with the
 * weights; {@link #permute} then carries the factors into the bundle's importance order together
 * with the weights.
 *
 * <p>Factors are keyed {@code l<i>.<linear key>} ({@link Linear#key}) and oriented like the Hugging
 * Face layer: B {@code [out, R]}, A {@code [R, in]}.
 */
public final class DecoderCompressor {
  private DecoderCompressor() {}

  /**
   * The compressed weights as the float values they stand for, in the checkpoint's order: every
   * linear layer pruned and then quantized ({@link CompressionPlan#compress}); embeddings, norms
   * and the LM head stay float32. What the compression studies measure; a served bundle quantizes
   * in its own order instead ({@link #quantizeServed}).
   *
   * @param masks the MaskLLM archive when the plan prunes by mask, else null
   */
  public static DecoderWeights compress(
      DecoderWeights dense,
      CompressionPlan plan,
      LayerActivations activations,
      MaskLlmMasks masks) {
    DecoderWeights pruned = prune(dense, plan, activations, masks);
    return plan.quantizes() ? quantizeLinears(pruned, plan, null) : pruned;
  }

  /**
   * Every linear layer with its 2:4 mask applied (2:4 by magnitude, by Wanda with the layer's input
   * norms, or by the imported mask); the dense weights themselves when the plan does not prune.
   */
  public static DecoderWeights prune(
      DecoderWeights dense,
      CompressionPlan plan,
      LayerActivations activations,
      MaskLlmMasks masks) {
    if (plan.pruning() == CompressionPlan.Pruning.NONE) {
      return dense;
    }
    LlamaConfig c = dense.config();
    List<DecoderWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      DecoderWeights.Layer b = dense.layers().get(l);
      for (Linear linear : Linear.values()) {
        int out = linear.out(c);
        int in = linear.in(c);
        float[] w = linear.weight(b, c);
        boolean[] keep;
        switch (plan.pruning()) {
          case MAGNITUDE:
            keep = SemiStructuredPruner.mask(w, out, in, null);
            break;
          case WANDA:
            keep =
                SemiStructuredPruner.mask(
                    w, out, in, activations.gram(l, linear.input).columnNorms());
            break;
          default:
            keep = masks.mask(linear.hfName(l), out, in);
            if (!SemiStructuredPruner.isTwoFour(keep, out, in)) {
              throw new IllegalArgumentException(
                  "mask of " + linear.hfName(l) + " is not 2:4 along the input dimension");
            }
        }
        b = linear.with(b, linear.toStored(CompressionPlan.prune(w, keep), c));
      }
      layers.add(b);
    }
    return new DecoderWeights(c, dense.embed(), dense.lmHead(), dense.norm(), layers);
  }

  /**
   * What a quantized bundle serves.
   *
   * @param packed per linear layer ({@link QuantizedWeights#key}) and for the LM head, the
   *     MatMulNBits arrays
   * @param dequantized the linear layers as the values the codes stand for, in the same (served)
   *     order
   */
  public record Served(Map<String, BlockQuantizer.Packed> packed, DecoderWeights dequantized) {}

  /**
   * Quantizes {@code weights}, already in the bundle's importance order, so that MatMulNBits'
   * blocks along the input are the blocks a sub-network keeps a prefix of. Every linear layer is
   * quantized to the plan's bits and the LM head to {@link QuantizedWeights#HEAD_BITS}; embeddings
   * and norms stay float32 (a decode step reads one embedding row).
   */
  public static Served quantizeServed(DecoderWeights weights, CompressionPlan plan) {
    LlamaConfig c = weights.config();
    Map<String, BlockQuantizer.Packed> packed = new TreeMap<>();
    DecoderWeights dequantized = quantizeLinears(weights, plan, packed);
    packed.put(
        QuantizedWeights.LM_HEAD,
        BlockQuantizer.quantize(
            weights.lmHead(),
            c.vocabSize(),
            c.hidden(),
            QuantizedWeights.HEAD_BITS,
            plan.blockSize()));
    return new Served(packed, dequantized);
  }

  /**
   * {@code weights} with every linear layer replaced by the values its quantization stands for, in
   * the order given; each layer's packed arrays go into {@code packed} by {@link
   * QuantizedWeights#key} when it is not null.
   */
  private static DecoderWeights quantizeLinears(
      DecoderWeights weights, CompressionPlan plan, Map<String, BlockQuantizer.Packed> packed) {
    LlamaConfig c = weights.config();
    List<DecoderWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      DecoderWeights.Layer b = weights.layers().get(l);
      for (Linear linear : Linear.values()) {
        BlockQuantizer.Packed q = plan.quantize(linear.weight(b, c), linear.out(c), linear.in(c));
        if (packed != null) {
          packed.put(QuantizedWeights.key(l, linear), q);
        }
        b = linear.with(b, linear.toStored(q.dequantize(), c));
      }
      layers.add(b);
    }
    return new DecoderWeights(c, weights.embed(), weights.lmHead(), weights.norm(), layers);
  }

  /**
   * The rank-{@code rank} compensation of every linear layer: EoRA in the eigenspace of the layer's
   * calibration inputs, or plain SVD of ΔW = W − W_c. Layers run in parallel (the
   * eigendecompositions dominate).
   */
  public static Map<String, LowRankFactors> factors(
      DecoderWeights dense,
      DecoderWeights compressed,
      LayerActivations activations,
      CompressionPlan.Compensation compensation,
      int rank,
      Progress progress) {
    LlamaConfig c = dense.config();
    Map<String, LowRankFactors> out = new TreeMap<>();
    AtomicInteger done = new AtomicInteger();
    IntStream.range(0, c.layers())
        .parallel()
        .forEach(
            l -> {
              Map<Linear.Input, Eora.Basis> bases = new java.util.EnumMap<>(Linear.Input.class);
              for (Linear linear : Linear.values()) {
                int o = linear.out(c);
                int in = linear.in(c);
                float[] w = linear.weight(dense.layers().get(l), c);
                float[] wc = linear.weight(compressed.layers().get(l), c);
                float[] delta = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                  delta[i] = w[i] - wc[i];
                }
                LowRankFactors f;
                if (compensation == CompressionPlan.Compensation.EORA) {
                  Eora.Basis basis =
                      bases.computeIfAbsent(
                          linear.input, input -> Eora.basis(activations.gram(l, input)));
                  f = Eora.eora(delta, o, in, basis, rank);
                } else {
                  f = Eora.svd(delta, o, in, rank);
                }
                synchronized (out) {
                  out.put(key(l, linear), f);
                  progress.update(
                      compensation.label(),
                      done.incrementAndGet(),
                      c.layers() * Linear.values().length);
                }
              }
            });
    return out;
  }

  /**
   * {@code compressed} with each linear layer replaced by W_c + B_r·A_r: the compensated model as
   * dense weights.
   */
  public static DecoderWeights merged(
      DecoderWeights compressed, Map<String, LowRankFactors> factors, int r) {
    LlamaConfig c = compressed.config();
    List<DecoderWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      DecoderWeights.Layer b = compressed.layers().get(l);
      for (Linear linear : Linear.values()) {
        b =
            linear.with(
                b,
                linear.toStored(factors.get(key(l, linear)).mergedInto(linear.weight(b, c), r), c));
      }
      layers.add(b);
    }
    return new DecoderWeights(
        c, compressed.embed(), compressed.lmHead(), compressed.norm(), layers);
  }

  /**
   * The factors in the order {@link DecoderWeights#permute} puts the weights: rows of B follow a
   * permuted output (q/k/v by KV group, gate/up by neuron), columns of A a permuted input (o by KV
   * group, down by neuron).
   */
  public static Map<String, LowRankFactors> permute(
      Map<String, LowRankFactors> factors, LlamaConfig c, int[][] groupOrder, int[][] neuronOrder) {
    int hd = c.headDim();
    int g = c.groupSize();
    Map<String, LowRankFactors> out = new TreeMap<>();
    for (int l = 0; l < c.layers(); l++) {
      for (Linear linear : Linear.values()) {
        LowRankFactors f = factors.get(key(l, linear));
        int r = f.rank();
        float[] b = f.b();
        float[] a = f.a();
        switch (linear) {
          case Q:
            b = RowMajor.permuteBlocks(b, groupOrder[l], g * hd * r);
            break;
          case K:
          case V:
            b = RowMajor.permuteBlocks(b, groupOrder[l], hd * r);
            break;
          case GATE:
          case UP:
            b = RowMajor.permuteBlocks(b, neuronOrder[l], r);
            break;
          case O:
            a = permuteColumns(a, r, f.in(), groupOrder[l], g * hd);
            break;
          default:
            a = permuteColumns(a, r, f.in(), neuronOrder[l], 1);
        }
        out.put(key(l, linear), new LowRankFactors(f.out(), f.in(), r, b, a));
      }
    }
    return out;
  }

  public static String key(int layer, Linear linear) {
    return io.flexserve.models.onnx.WeightLayout.layerKey(layer, linear.key);
  }

  private static float[] permuteColumns(float[] m, int rows, int cols, int[] order, int block) {
    float[] t = RowMajor.permuteBlocks(RowMajor.transpose(m, rows, cols), order, block * rows);
    return RowMajor.transpose(t, cols, rows);
  }
}
