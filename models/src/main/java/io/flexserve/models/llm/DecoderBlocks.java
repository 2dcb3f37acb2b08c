package io.flexserve.models.llm;

import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.FLOAT;

import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.weights.BlockQuantizer;

/**
 * The pieces of a Llama decoder graph that do not depend on how attention is computed, shared by
 * {@link DecoderGraph} (explicit MatMul/Softmax attention) and {@link GqaDecoderGraph} (ONNX
 * Runtime's GroupQueryAttention): RMSNorm, rotate-half RoPE, the SwiGLU MLP and the LM head, all
 * reading prefixes of the bundle's weight file.
 */
public final class DecoderBlocks {
  private DecoderBlocks() {}

  /**
   * RMSNorm, {@code x / sqrt(mean(x²) + eps) · w}, written as the Pow → ReduceMean → Add → Sqrt →
   * Div → Mul chain that ONNX Runtime fuses into one SimplifiedLayerNormalization kernel.
   */
  static String rmsNorm(GraphBuilder b, String x, String weight, String eps) {
    String meanSquare = b.reduceMean(b.pow(x, b.constFloat("two", 2f)), -1);
    return b.mul(b.div(x, b.sqrt(b.add(meanSquare, eps))), weight);
  }

  /**
   * Rotate-half RoPE on {@code [B, S, heads, hd]}: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin).
   */
  record Rotary(GraphBuilder b, String cos, String sin, int hd) {
    String apply(String x) {
      String axis = b.constInts("last", -1);
      String x1 = b.slice(x, b.constInts("zero", 0), b.constInts("half", hd / 2), axis);
      String x2 = b.slice(x, b.constInts("half", hd / 2), b.constInts("full", hd), axis);
      return b.concat(
          -1, b.sub(b.mul(x1, cos), b.mul(x2, sin)), b.add(b.mul(x2, cos), b.mul(x1, sin)));
    }
  }

  /** The first {@code dims} floats of layer {@code layer}'s tensor {@code tensor}. */
  static String weight(
      GraphBuilder b, WeightLayout layout, int layer, String tensor, long... dims) {
    return layout.initializer(b, WeightLayout.layerKey(layer, tensor), dims);
  }

  /**
   * SwiGLU activation over the first {@code f} neurons: {@code silu(gate(n)) · up(n)}, {@code [N,
   * F]}.
   */
  static String swiGlu(
      GraphBuilder b, WeightLayout layout, int layer, String normed, int f, int h) {
    return swiGlu(
        new Projections(b, layout, null, Precision.FP32), layer, normed, f, h, LowRank.none());
  }

  /**
   * SwiGLU with the gate and up projections run by {@code p} and compensated by {@code lowRank}.
   */
  static String swiGlu(Projections p, int layer, String normed, int f, int h, LowRank lowRank) {
    String gate =
        lowRank.add(
            p.apply(normed, layer, Linear.GATE, h, f), normed, layer, Linear.GATE, h, f); // [N, F]
    String up =
        lowRank.add(
            p.apply(normed, layer, Linear.UP, h, f), normed, layer, Linear.UP, h, f); // [N, F]
    return p.b().mul(p.b().mul(gate, p.b().sigmoid(gate)), up);
  }

  /**
   * How a sub-network's linear layers run: a float32 {@code Gemm} over a prefix of the stored
   * weight, or {@code com.microsoft.MatMulNBits} over the packed codes ({@link QuantizedWeights}).
   */
  record Projections(GraphBuilder b, WeightLayout layout, LlamaConfig config, Precision precision) {
    /**
     * y = x·W'ᵀ for the sub-network's part W' {@code [out', in']} of {@code linear} in {@code
     * layer}.
     *
     * @param x {@code [N, in']}
     * @return {@code [N, out']}
     */
    String apply(String x, int layer, Linear linear, int in, int out) {
      if (!precision.isQuantized()) {
        return linear.storedTransposed()
            ? b.gemm(x, weight(b, layout, layer, linear.key, in, out))
            : b.gemmT(x, weight(b, layout, layer, linear.key, out, in));
      }
      return nbits(x, QuantizedWeights.key(layer, linear), linear.in(config), in, out);
    }

    /**
     * The quantized LM head over {@code x [N, H]}: {@code [N, V]} (float32 graphs run {@link
     * #logits}).
     */
    String head(String x, int h, int v) {
      Precision head = QuantizedWeights.headPrecision(precision);
      return new Projections(b, layout, config, head).nbits(x, QuantizedWeights.LM_HEAD, h, h, v);
    }

    /**
     * MatMulNBits over the first {@code out} rows and the first {@code in} inputs of a stored
     * {@code [outRows, fullIn]} quantized matrix. Keeping fewer outputs reads a prefix of every
     * array; keeping fewer inputs (o, down) slices the first ceil(in / block) blocks out of every
     * row. The codes past {@code in} in the last kept block belong to inputs the sub-network does
     * not have: MatMulNBits reads only K = {@code in} of them.
     */
    private String nbits(String x, String key, int fullIn, int in, int out) {
      int block = precision.block();
      int bits = precision.bits();
      int kBlocks = (fullIn + block - 1) / block;
      int blockBytes = block * bits / 8;
      int zpRow = BlockQuantizer.zeroPointRow(bits, kBlocks);
      String codes;
      String scales;
      String zeros;
      if (in == fullIn) {
        codes =
            layout.byteInitializer(
                b, QuantizedWeights.codes(key), out, kBlocks, blockBytes); // [out, kb, bb]
        scales =
            layout.initializer(b, QuantizedWeights.scales(key), (long) out * kBlocks); // [out·kb]
        zeros =
            layout.byteInitializer(
                b, QuantizedWeights.zeroPoints(key), (long) out * zpRow); // [out·zpRow]
      } else {
        int keptBlocks = (in + block - 1) / block;
        int keptZp = BlockQuantizer.zeroPointRow(bits, keptBlocks);
        String zero = b.constInts("zero", 0);
        String axis1 = b.constInts("axis1", 1);
        String flat = b.constInts("flat1", -1);
        codes =
            b.slice(
                layout.byteInitializer(b, QuantizedWeights.codes(key), out, kBlocks, blockBytes),
                zero,
                b.constInts("kept", keptBlocks),
                axis1); // [out, kb', bb]
        scales =
            b.reshape(
                b.slice(
                    layout.initializer(b, QuantizedWeights.scales(key), out, kBlocks),
                    zero,
                    b.constInts("kept", keptBlocks),
                    axis1),
                flat); // [out·kb']
        zeros =
            b.reshape(
                b.slice(
                    layout.byteInitializer(b, QuantizedWeights.zeroPoints(key), out, zpRow),
                    zero,
                    b.constInts("keptzp", keptZp),
                    axis1),
                flat); // [out·zpRow']
      }
      return b.node(
              GqaDecoderGraph.MS_DOMAIN,
              "MatMulNBits",
              new String[] {x, codes, scales, zeros},
              new String[] {""},
              "K",
              in,
              "N",
              out,
              "bits",
              bits,
              "block_size",
              block,
              "accuracy_level",
              precision.accuracyLevel())[0];
    }
  }

  /**
   * The low-rank compensation path y += (x·A_rᵀ)·B_rᵀ of a compressed linear layer, reading the
   * first r rows of the stored {@code A [R, in]} and {@code Bᵀ [R, out]} (keys {@link #lowRankA},
   * {@link #lowRankBt}); a sub-network with a narrower input or output slices the columns it uses.
   * Rank 0 adds nothing: the graph is the plain one.
   */
  record LowRank(GraphBuilder b, WeightLayout layout, LlamaConfig config, int rank) {
    static LowRank none() {
      return new LowRank(null, null, null, 0);
    }

    /**
     * @param y the compressed layer's output {@code [N, out']}
     * @param x its input {@code [N, in']}
     */
    String add(String y, String x, int layer, Linear linear, int in, int out) {
      if (rank == 0) {
        return y;
      }
      String a = prefix(lowRankA(layer, linear), linear.in(config), in); // [r, in']
      String bt = prefix(lowRankBt(layer, linear), linear.out(config), out); // [r, out']
      return b.add(y, b.gemm(b.gemmT(x, a), bt)); // [N, out']
    }

    /**
     * The first {@code rank} rows of a stored {@code [R, full]} factor, cut to its first {@code
     * used} columns.
     */
    private String prefix(String key, int full, int used) {
      String rows = layout.initializer(b, key, rank, full); // [r, full]
      return used == full
          ? rows
          : b.slice(
              rows, b.constInts("zero", 0), b.constInts("used", used), b.constInts("cols", 1));
    }
  }

  /** Weight-file key of the stored {@code A [R, in]} of one linear layer. */
  public static String lowRankA(int layer, Linear linear) {
    return WeightLayout.layerKey(layer, linear.key + ".lr_a");
  }

  /** Weight-file key of the stored {@code Bᵀ [R, out]} of one linear layer. */
  public static String lowRankBt(int layer, Linear linear) {
    return WeightLayout.layerKey(layer, linear.key + ".lr_bt");
  }

  /**
   * The {@code logits [B, n, V]} output: final norm and LM head over the last n positions of every
   * row only (generation needs one, perplexity all).
   *
   * @param x the residual stream {@code [N, H]}
   * @param batchSeq {@code (B, S)}; {@code batch} is {@code (B)}
   */
  static void logits(
      GraphBuilder b,
      WeightLayout layout,
      String x,
      String batchSeq,
      String batch,
      String keep,
      String eps,
      int h,
      int v) {
    String normed =
        rmsNorm(
            b,
            b.reshape(lastPositions(b, x, batchSeq, keep, h), b.constInts("flat", -1, h)),
            layout.initializer(b, "norm", h),
            eps); // [B·n, H]
    String logits = b.gemmT(normed, layout.initializer(b, "lm_head", v, h)); // [B·n, V]
    b.output(
        b.reshape(logits, b.concat(0, batch, b.constInts("logits", -1, v))),
        "logits",
        FLOAT,
        "batch",
        "kept",
        v);
  }

  /**
   * The residual stream {@code x [N, H]} at the last n ({@code keep}) positions of every row:
   * {@code [B, n, H]}.
   */
  static String lastPositions(GraphBuilder b, String x, String batchSeq, String keep, int h) {
    return b.slice(
        b.reshape(x, b.concat(0, batchSeq, b.constInts("h", h))),
        b.neg(keep),
        b.constInts("end", Long.MAX_VALUE),
        b.constInts("seqaxis", 1)); // [B, n, H]
  }
}
