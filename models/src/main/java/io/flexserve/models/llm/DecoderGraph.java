package io.flexserve.models.llm;

import static io.flexserve.models.llm.DecoderBlocks.logits;
import static io.flexserve.models.llm.DecoderBlocks.rmsNorm;
import static io.flexserve.models.llm.DecoderBlocks.swiGlu;
import static io.flexserve.models.llm.DecoderBlocks.weight;
import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.FLOAT;
import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.INT64;

import io.flexserve.models.llm.DecoderBlocks.Rotary;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;

/**
 * Builds the ONNX graph of one decoder sub-network with a KV cache. The same graph serves prefill
 * (no past, S prompt tokens) and decode (past of P tokens, S = 1), and a batch of sequences of
 * different lengths (the caller's attention bias masks padding and enforces causality, so the graph
 * needs no knowledge of either).
 *
 * <pre>
 * inputs   input_ids        [B, S]      int64
 *          position_ids     [B, S]      int64   absolute positions, for RoPE
 *          attention_bias   [B, S, T]   float   0 where query s may attend key t, {@value #MASKED} elsewhere; T = P + S
 *          logits_to_keep   [1]         int64   logits for the last n positions only (1 while generating)
 *          past_key.&lt;l&gt;     [B, G_l, P, hd]  per kept layer l, G_l its kept KV groups
 *          past_value.&lt;l&gt;   [B, G_l, P, hd]
 * outputs  logits           [B, n, V]
 *          present_key.&lt;l&gt;  [B, G_l, T, hd]  past ++ this step's keys: the next step's past
 *          present_value.&lt;l&gt;[B, G_l, T, hd]
 * </pre>
 *
 * The residual stream stays 2-D, {@code [N, H]} with N = B·S, so that every projection is a {@code
 * Gemm} reading a prefix of its stored weight (see {@link DecoderWeights} for the layout).
 * Grouped-query attention runs without repeating K and V: the g query heads of a group are folded
 * into the row axis, {@code [B, G, g·S, hd]}, and multiply the group's single K/V head directly.
 *
 * <p>With {@code probes} the graph also outputs, per kept layer l, {@code probe.l<l>.in} / {@code
 * .out} (the residual stream around the block, {@code [N, H]}), {@code probe.l<l>.heads} (attention
 * output per query head before the O projection, {@code [N, G_l·g, hd]}) and {@code probe.l<l>.mlp}
 * (input to the down projection, {@code [N, F_l]}): what importance ranking measures; and {@code
 * probe.l<l>.attn_in} / {@code .mlp_in} (the normed inputs of the q/k/v and gate/up projections,
 * {@code [N, H]}), the calibration inputs of compression ({@link LayerActivations}).
 *
 * <p>With {@code rank > 0} every projection adds its low-rank compensation path ({@link
 * DecoderBlocks.LowRank}). With a quantized {@link Precision} every projection is a {@code
 * com.microsoft.MatMulNBits} node, and the graph ends at {@code hidden [B, n, H]}: the final norm
 * and LM head are the precision's shared head graph ({@link #buildHead}).
 */
public final class DecoderGraph {
  /**
   * Additive mask value: the most negative float, so exp() underflows to exactly 0 and a sum never
   * overflows.
   */
  public static final float MASKED = -3.4028235e38f;

  /**
   * Output of a quantized sub-network graph, input of its precision's head graph ({@link
   * #buildHead}).
   */
  public static final String HIDDEN = "hidden";

  private DecoderGraph() {}

  public static ModelProto build(
      LlamaConfig config, DecoderSubnet subnet, WeightLayout layout, boolean probes) {
    return build(config, subnet, layout, probes, 0);
  }

  /**
   * The graph of {@code subnet} with every linear layer's low-rank compensation at rank {@code
   * rank} (0: none): the layout must hold the factors ({@link
   * DecoderWeightFile#write(DecoderWeights, java.util.Map, java.nio.file.Path)}) when {@code rank >
   * 0}.
   */
  public static ModelProto build(
      LlamaConfig config, DecoderSubnet subnet, WeightLayout layout, boolean probes, int rank) {
    return build(config, subnet, layout, probes, rank, Precision.FP32);
  }

  /**
   * The graph of {@code subnet} with its linear layers and LM head in {@code precision}: quantized
   * ones run MatMulNBits over the packed arrays of {@link QuantizedWeights}, which the layout must
   * hold; the low-rank compensation (rank &gt; 0) stays float32 beside them.
   */
  public static ModelProto build(
      LlamaConfig config,
      DecoderSubnet subnet,
      WeightLayout layout,
      boolean probes,
      int rank,
      Precision precision) {
    subnet.checkFits(config);
    final int h = config.hidden();
    final int hd = config.headDim();
    final int g = config.groupSize();
    final int v = config.vocabSize();
    GraphBuilder b = new GraphBuilder("flexserve-decoder-" + subnet.name());
    if (precision.isQuantized()) {
      b.opset(GqaDecoderGraph.MS_DOMAIN, 1);
    }
    DecoderBlocks.Projections p = new DecoderBlocks.Projections(b, layout, config, precision);
    DecoderBlocks.LowRank lowRank = new DecoderBlocks.LowRank(b, layout, config, rank);

    String ids = b.input("input_ids", INT64, "batch", "sequence"); // [B, S]
    String positions = b.input("position_ids", INT64, "batch", "sequence"); // [B, S]
    String bias = b.input("attention_bias", FLOAT, "batch", "sequence", "total"); // [B, S, T]
    String keep = b.input("logits_to_keep", INT64, 1); // [1]
    String batchSeq = b.shape(ids, 0, 2); // (B, S)
    String batch = b.shape(ids, 0, 1); // (B)
    String flat = b.constInts("flat", -1, h); // (N, H)

    // The bias is the same for every layer: repeat it for the g query heads folded into the row
    // axis.
    String groupBias =
        b.unsqueeze(
            b.tile(bias, b.constInts("g", 1, g, 1)), b.constInts("axis1", 1)); // [B, 1, g·S, T]

    // RoPE rows for these positions, broadcast over heads.
    String axis2 = b.constInts("axis2", 2);
    String cos =
        b.unsqueeze(
            b.gather(layout.initializer(b, "rope.cos", config.maxPositions(), hd / 2), positions),
            axis2); // [B, S, 1, hd/2]
    String sin =
        b.unsqueeze(
            b.gather(layout.initializer(b, "rope.sin", config.maxPositions(), hd / 2), positions),
            axis2); // [B, S, 1, hd/2]
    Rotary rotary = new Rotary(b, cos, sin, hd);
    String scale = b.constFloat("scale", (float) (1.0 / Math.sqrt(hd)));
    String eps = b.constFloat("eps", (float) config.rmsNormEps());

    String x = b.reshape(b.gather(layout.initializer(b, "embed", v, h), ids), flat); // [N, H]

    for (DecoderSubnet.Layer layer : subnet.layers()) {
      final int l = layer.index();
      final int groups = layer.kvGroups();
      final int heads = groups * g;
      final int f = layer.mlpWidth();
      b.scope("l" + l);
      if (probes) {
        b.output(x, "probe.l" + l + ".in", FLOAT, "tokens", h);
      }

      // Attention. Q [N, heads·hd], K and V [N, groups·hd].
      String n1 = rmsNorm(b, x, weight(b, layout, l, "attn_norm", h), eps);
      if (probes) {
        b.output(n1, "probe.l" + l + ".attn_in", FLOAT, "tokens", h);
      }
      String q =
          lowRank.add(p.apply(n1, l, Linear.Q, h, heads * hd), n1, l, Linear.Q, h, heads * hd);
      String k =
          lowRank.add(p.apply(n1, l, Linear.K, h, groups * hd), n1, l, Linear.K, h, groups * hd);
      String val =
          lowRank.add(p.apply(n1, l, Linear.V, h, groups * hd), n1, l, Linear.V, h, groups * hd);
      q =
          rotary.apply(
              b.reshape(
                  q, b.concat(0, batchSeq, b.constInts("qh", heads, hd)))); // [B, S, heads, hd]
      k =
          rotary.apply(
              b.reshape(k, b.concat(0, batchSeq, b.constInts("kh", groups, hd)))); // [B, S, G, hd]
      String q5 =
          b.reshape(
              b.mul(q, scale),
              b.concat(0, batchSeq, b.constInts("qg", groups, g, hd))); // [B, S, G, g, hd]
      String qRows =
          b.reshape(
              b.transpose(q5, 0, 2, 3, 1, 4),
              b.concat(0, batch, b.constInts("rows", groups, -1, hd))); // [B, G, g·S, hd]
      String newK = b.transpose(k, 0, 2, 1, 3); // [B, G, S, hd]
      String newV =
          b.transpose(
              b.reshape(val, b.concat(0, batchSeq, b.constInts("vh", groups, hd))),
              0,
              2,
              1,
              3); // [B, G, S, hd]
      String presentK =
          b.concat(
              2,
              b.input("past_key." + l, FLOAT, "batch", groups, "past", hd),
              newK); // [B, G, T, hd]
      String presentV =
          b.concat(
              2,
              b.input("past_value." + l, FLOAT, "batch", groups, "past", hd),
              newV); // [B, G, T, hd]
      b.output(presentK, "present_key." + l, FLOAT, "batch", groups, "total", hd);
      b.output(presentV, "present_value." + l, FLOAT, "batch", groups, "total", hd);
      String scores =
          b.add(b.matmul(qRows, b.transpose(presentK, 0, 1, 3, 2)), groupBias); // [B, G, g·S, T]
      String ctx = b.matmul(b.softmax(scores, -1), presentV); // [B, G, g·S, hd]
      ctx =
          b.transpose(
              b.reshape(ctx, b.concat(0, batch, b.constInts("ctx5", groups, g, -1, hd))),
              0,
              3,
              1,
              2,
              4); // [B, S, G, g, hd]
      ctx = b.reshape(ctx, b.constInts("ctx", -1, (long) heads * hd)); // [N, heads·hd]
      if (probes) {
        b.output(
            b.reshape(ctx, b.constInts("perhead", -1, heads, hd)),
            "probe.l" + l + ".heads",
            FLOAT,
            "tokens",
            heads,
            hd);
      }
      x =
          b.add(
              x,
              lowRank.add(
                  p.apply(ctx, l, Linear.O, heads * hd, h),
                  ctx,
                  l,
                  Linear.O,
                  heads * hd,
                  h)); // [N, H]

      // SwiGLU MLP over the first f neurons: down(silu(gate(x)) · up(x)).
      String n2 = rmsNorm(b, x, weight(b, layout, l, "mlp_norm", h), eps);
      if (probes) {
        b.output(n2, "probe.l" + l + ".mlp_in", FLOAT, "tokens", h);
      }
      String act = swiGlu(p, l, n2, f, h, lowRank); // [N, F]
      if (probes) {
        b.output(act, "probe.l" + l + ".mlp", FLOAT, "tokens", f);
      }
      x =
          b.add(
              x,
              lowRank.add(p.apply(act, l, Linear.DOWN, f, h), act, l, Linear.DOWN, f, h)); // [N, H]
      if (probes) {
        b.output(x, "probe.l" + l + ".out", FLOAT, "tokens", h);
      }
    }
    b.scope("head");

    if (precision.isQuantized()) {
      // the LM head is the same for every entry of this precision: one head graph serves them all
      // (see buildHead)
      b.output(
          DecoderBlocks.lastPositions(b, x, batchSeq, keep, h), HIDDEN, FLOAT, "batch", "kept", h);
    } else {
      logits(b, layout, x, batchSeq, batch, keep, eps, h, v);
    }
    return b.build();
  }

  /**
   * The LM head of a quantized precision as a graph of its own, shared by every entry of that
   * precision: each session pre-packs its own copy of the MatMulNBits weights it reads, and the
   * head (V × H) is the largest of them.
   *
   * <pre>
   * inputs   hidden   [B, n, H]   the residual stream at the kept positions ({@value #HIDDEN} of a sub-network graph)
   * outputs  logits   [B, n, V]   final RMSNorm, then the head
   * </pre>
   */
  public static ModelProto buildHead(LlamaConfig config, WeightLayout layout, Precision precision) {
    if (!precision.isQuantized()) {
      throw new IllegalArgumentException("float32 graphs compute their own logits");
    }
    final int h = config.hidden();
    final int v = config.vocabSize();
    GraphBuilder b =
        new GraphBuilder("flexserve-decoder-head-" + precision.label())
            .opset(GqaDecoderGraph.MS_DOMAIN, 1);
    DecoderBlocks.Projections p = new DecoderBlocks.Projections(b, layout, config, precision);
    String hidden = b.input(HIDDEN, FLOAT, "batch", "kept", h); // [B, n, H]
    String batch = b.shape(hidden, 0, 1); // (B)
    String normed =
        rmsNorm(
            b,
            b.reshape(hidden, b.constInts("flat", -1, h)),
            layout.initializer(b, "norm", h),
            b.constFloat("eps", (float) config.rmsNormEps())); // [B·n, H]
    String logits = p.head(normed, h, v); // [B·n, V]
    b.output(
        b.reshape(logits, b.concat(0, batch, b.constInts("logits", -1, v))),
        "logits",
        FLOAT,
        "batch",
        "kept",
        v);
    return b.build();
  }
}
