package io.flexserve.models.llm;

import static io.flexserve.models.llm.DecoderBlocks.logits;
import static io.flexserve.models.llm.DecoderBlocks.rmsNorm;
import static io.flexserve.models.llm.DecoderBlocks.swiGlu;
import static io.flexserve.models.llm.DecoderBlocks.weight;
import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.FLOAT;
import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.INT32;
import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.INT64;

import io.flexserve.models.llm.DecoderBlocks.Rotary;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;

/**
 * The decoder of {@link DecoderGraph} (same weights, same weight file, same projections, RMSNorm
 * and SwiGLU), but each layer's attention is one ONNX Runtime contrib op, {@code
 * com.microsoft.GroupQueryAttention}, instead of MatMul/Softmax over a concatenated cache with an
 * additive bias. Masking is causal inside the op and driven by per-row lengths instead of a bias:
 * rows are right-padded, row b holds {@code seqlens_k[b] + 1} valid positions after this step.
 *
 * <pre>
 * inputs   input_ids              [B, S]      int64
 *          position_ids           [B, S]      int64   only without fused rotary (RoPE applied in the graph)
 *          seqlens_k              [B]         int32   valid positions per row after this step, minus one
 *          total_sequence_length  []          int32   max over rows of seqlens_k + 1
 *          logits_to_keep         [1]         int64
 *          past_key.&lt;l&gt;           [B, G_l, P, hd]   P = past length, or the buffer capacity when past and present
 *          past_value.&lt;l&gt;         [B, G_l, P, hd]   are the same buffer (then the op writes the new rows in place)
 * outputs  logits                 [B, n, V]
 *          present_key.&lt;l&gt;        [B, G_l, max(P, total), hd]
 *          present_value.&lt;l&gt;      [B, G_l, max(P, total), hd]
 * </pre>
 *
 * With {@code fusedRotary} the op rotates Q and K itself from {@code rope.cos}/{@code rope.sin}
 * ({@code [maxPositions, hd/2]}, rotate-half), deriving each row's positions from {@code seqlens_k}
 * (prompt: 0…S-1; decode: seqlens_k[b]). ONNX Runtime's CPU kernel accepts that only for head sizes
 * that are multiples of 16 (see {@link #canFuseRotary}); otherwise RoPE is applied in the graph
 * from {@code position_ids}, exactly as {@link DecoderGraph} does. Either way the op needs head
 * sizes that are multiples of 8.
 *
 * <p>A pruned sub-network keeps a prefix of KV groups: its layer runs the op with {@code
 * kv_num_heads = G_l} and {@code num_heads = G_l·g}, and query head i reads KV head i / g, the same
 * grouping as {@link DecoderGraph}.
 */
public final class GqaDecoderGraph {
  public static final String MS_DOMAIN = "com.microsoft";

  private GqaDecoderGraph() {}

  /**
   * Whether ONNX Runtime's CPU GroupQueryAttention can apply RoPE itself for this model (head size
   * % 16 == 0).
   */
  public static boolean canFuseRotary(LlamaConfig config) {
    return config.headDim() % 16 == 0;
  }

  /** The graph, with fused rotary where the op supports it. */
  public static ModelProto build(LlamaConfig config, DecoderSubnet subnet, WeightLayout layout) {
    return build(config, subnet, layout, canFuseRotary(config));
  }

  public static ModelProto build(
      LlamaConfig config, DecoderSubnet subnet, WeightLayout layout, boolean fusedRotary) {
    subnet.checkFits(config);
    final int h = config.hidden();
    final int hd = config.headDim();
    final int g = config.groupSize();
    final int v = config.vocabSize();
    if (hd % 8 != 0) {
      throw new IllegalArgumentException(
          "GroupQueryAttention needs a head size that is a multiple of 8, got " + hd);
    }
    if (fusedRotary && !canFuseRotary(config)) {
      throw new IllegalArgumentException(
          "fused rotary needs a head size that is a multiple of 16, got " + hd);
    }
    GraphBuilder b = new GraphBuilder("flexserve-gqa-decoder-" + subnet.name()).opset(MS_DOMAIN, 1);

    String ids = b.input("input_ids", INT64, "batch", "sequence"); // [B, S]
    String positions =
        fusedRotary ? null : b.input("position_ids", INT64, "batch", "sequence"); // [B, S]
    String seqlens = b.input("seqlens_k", INT32, "batch"); // [B]
    String total = b.input("total_sequence_length", INT32); // []
    String keep = b.input("logits_to_keep", INT64, 1); // [1]
    String batchSeq = b.shape(ids, 0, 2); // (B, S)
    String flat = b.constInts("flat", -1, h); // (N, H)
    String packed = b.concat(0, batchSeq, b.constInts("packed", -1)); // (B, S, -1)

    String cosTable =
        layout.initializer(b, "rope.cos", config.maxPositions(), hd / 2); // [maxPos, hd/2]
    String sinTable = layout.initializer(b, "rope.sin", config.maxPositions(), hd / 2);
    Rotary rotary = null;
    if (!fusedRotary) {
      String axis2 = b.constInts("axis2", 2);
      rotary =
          new Rotary(
              b,
              b.unsqueeze(b.gather(cosTable, positions), axis2),
              b.unsqueeze(b.gather(sinTable, positions), axis2),
              hd); // [B, S, 1, hd/2]
    }
    float scale = (float) (1.0 / Math.sqrt(hd));
    String eps = b.constFloat("eps", (float) config.rmsNormEps());

    String x = b.reshape(b.gather(layout.initializer(b, "embed", v, h), ids), flat); // [N, H]

    for (DecoderSubnet.Layer layer : subnet.layers()) {
      final int l = layer.index();
      final int groups = layer.kvGroups();
      final int heads = groups * g;
      final int f = layer.mlpWidth();
      b.scope("l" + l);

      // Attention. Q [N, heads·hd], K and V [N, groups·hd], handed to the op as [B, S, ·].
      String n1 = rmsNorm(b, x, weight(b, layout, l, "attn_norm", h), eps);
      String q = b.gemmT(n1, weight(b, layout, l, "q", heads * hd, h));
      String k = b.gemmT(n1, weight(b, layout, l, "k", groups * hd, h));
      String val = b.gemmT(n1, weight(b, layout, l, "v", groups * hd, h));
      if (rotary != null) {
        q =
            rotary.apply(
                b.reshape(
                    q, b.concat(0, batchSeq, b.constInts("qh", heads, hd)))); // [B, S, heads, hd]
        k =
            rotary.apply(
                b.reshape(
                    k, b.concat(0, batchSeq, b.constInts("kh", groups, hd)))); // [B, S, G, hd]
      }
      String[] attn =
          b.node(
              MS_DOMAIN,
              "GroupQueryAttention",
              fusedRotary
                  ? new String[] {
                    b.reshape(q, packed),
                    b.reshape(k, packed),
                    b.reshape(val, packed),
                    b.input("past_key." + l, FLOAT, "batch", groups, "past", hd),
                    b.input("past_value." + l, FLOAT, "batch", groups, "past", hd),
                    seqlens,
                    total,
                    cosTable,
                    sinTable
                  }
                  : new String[] {
                    b.reshape(q, packed),
                    b.reshape(k, packed),
                    b.reshape(val, packed),
                    b.input("past_key." + l, FLOAT, "batch", groups, "past", hd),
                    b.input("past_value." + l, FLOAT, "batch", groups, "past", hd),
                    seqlens,
                    total
                  },
              new String[] {"", "present_key." + l, "present_value." + l},
              "num_heads",
              heads,
              "kv_num_heads",
              groups,
              "scale",
              scale,
              "do_rotary",
              fusedRotary ? 1 : 0,
              "rotary_interleaved",
              0,
              "local_window_size",
              -1); // [B, S, heads·hd]
      b.output(attn[1], attn[1], FLOAT, "batch", groups, "present", hd);
      b.output(attn[2], attn[2], FLOAT, "batch", groups, "present", hd);
      String ctx = b.reshape(attn[0], b.constInts("ctx", -1, (long) heads * hd)); // [N, heads·hd]
      x = b.add(x, b.gemm(ctx, weight(b, layout, l, "oT", heads * hd, h))); // [N, H]

      // SwiGLU MLP over the first f neurons: down(silu(gate(x)) · up(x)).
      String n2 = rmsNorm(b, x, weight(b, layout, l, "mlp_norm", h), eps);
      String act = swiGlu(b, layout, l, n2, f, h); // [N, F]
      x = b.add(x, b.gemm(act, weight(b, layout, l, "downT", f, h))); // [N, H]
    }
    b.scope("head");

    logits(b, layout, x, batchSeq, b.shape(ids, 0, 1), keep, eps, h, v);
    return b.build();
  }
}
