package io.flexserve.models.encoder;

import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.FLOAT;
import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.INT64;

import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;

/**
 * Builds the ONNX graph of one encoder sub-network: BERT embeddings, the kept post-LayerNorm blocks
 * with a prefix of the (importance-ordered) heads and MLP neurons, then sentence-transformers
 * pooling (mean over real tokens, L2 normalised).
 *
 * <p>Inputs {@code input_ids [B, S]} and {@code attention_mask [B, S]} (int64); output {@code
 * sentence_embedding [B, H]}. The residual stream is kept 2-D, {@code [T, H]} with T = B·S, so that
 * every projection is a {@code Gemm} that can read a prefix of its stored weight. Weights are
 * external data in the bundle's weight file; see {@link EncoderWeights} for the storage layout.
 *
 * <p>With {@code probes} the graph also outputs, per kept block i, {@code probe.l<i>.in} and {@code
 * probe.l<i>.out} ({@code [T, H]}), {@code probe.l<i>.heads} (per-head attention output {@code [B,
 * S, heads, headDim]}) and {@code probe.l<i>.mlp} (MLP activation {@code [T, F]}): what importance
 * ranking measures; and {@code probe.l<i>.mlp_in} (the input of the MLP's up projection {@code [T,
 * H]}), which compression's calibration statistics also need.
 */
public final class EncoderGraph {
  private static final float MASKED =
      -3.4028235e38f; // most negative float: exp() underflows to exactly 0

  private EncoderGraph() {}

  public static ModelProto build(
      EncoderConfig config, EncoderSubnet subnet, WeightLayout layout, boolean probes) {
    subnet.checkFits(config);
    // Sizes used below: H hidden, hd head width, A = kept heads × hd, F = kept MLP neurons.
    final int h = config.hidden();
    final int hd = config.headDim();
    final int heads = subnet.heads();
    final int a = heads * hd;
    final int f = subnet.mlpWidth();
    GraphBuilder g = new GraphBuilder("flexserve-encoder-" + subnet.name());

    // Inputs and the shapes derived from them.
    String ids = g.input("input_ids", INT64, "batch", "sequence"); // [B, S]
    String mask = g.input("attention_mask", INT64, "batch", "sequence"); // [B, S]
    String batchSeq = g.shape(ids, 0, 2); // [2] = (B, S)
    String seq = g.shape(ids, 1, 2); // [1] = (S)
    String flat = g.constInts("flat", -1, h); // reshape target [T, H]
    String headsShape = g.concat(0, batchSeq, g.constInts("heads", heads, hd)); // (B, S, heads, hd)
    String ctxShape = g.constInts("ctx", -1, a); // (T, A)

    // Embeddings: word + position + token type 0, then LayerNorm.
    String word = g.gather(weight(g, layout, "emb.word", config.vocabSize(), h), ids); // [B, S, H]
    String pos =
        g.slice(
            weight(g, layout, "emb.pos", config.maxPositions(), h),
            g.constInts("zero", 0),
            seq,
            g.constInts("axis0", 0)); // [S, H]
    String x = g.add(g.add(word, pos), weight(g, layout, "emb.type0", h)); // [B, S, H]
    x =
        g.layerNorm(
            x,
            weight(g, layout, "emb.norm.scale", h),
            weight(g, layout, "emb.norm.bias", h),
            config.layerNormEps());
    x = g.reshape(x, flat); // [T, H]

    // Additive attention mask: 0 for real tokens, MASKED for padding.
    String maskF = g.castToFloat(mask); // [B, S]
    String maskBias =
        g.mul(g.sub(maskF, g.constFloat("one", 1f)), g.constFloat("neg", -MASKED)); // [B, S]
    maskBias = g.unsqueeze(maskBias, g.constInts("axes12", 1, 2)); // [B, 1, 1, S]
    String scale = g.constFloat("scale", (float) (1.0 / Math.sqrt(hd)));

    for (int layer : subnet.layers()) {
      g.scope("l" + layer);
      if (probes) {
        g.output(x, "probe.l" + layer + ".in", FLOAT, "tokens", h);
      }
      // Self-attention over the first `heads` heads: Q, K, V are [T, A].
      String q =
          g.gemm(x, weight(g, layout, layer, "qT", a, h), weight(g, layout, layer, "q", a), true);
      String k =
          g.gemm(x, weight(g, layout, layer, "kT", a, h), weight(g, layout, layer, "k", a), true);
      String v =
          g.gemm(x, weight(g, layout, layer, "vT", a, h), weight(g, layout, layer, "v", a), true);
      String q4 = g.transpose(g.reshape(q, headsShape), 0, 2, 1, 3); // [B, heads, S, hd]
      String k4 = g.transpose(g.reshape(k, headsShape), 0, 2, 3, 1); // [B, heads, hd, S]
      String v4 = g.transpose(g.reshape(v, headsShape), 0, 2, 1, 3); // [B, heads, S, hd]
      String scores = g.add(g.mul(g.matmul(q4, k4), scale), maskBias); // [B, heads, S, S]
      String ctx =
          g.transpose(g.matmul(g.softmax(scores, -1), v4), 0, 2, 1, 3); // [B, S, heads, hd]
      if (probes) {
        g.output(ctx, "probe.l" + layer + ".heads", FLOAT, "batch", "sequence", heads, hd);
      }
      String attn =
          g.gemm(
              g.reshape(ctx, ctxShape),
              weight(g, layout, layer, "o", a, h),
              weight(g, layout, layer, "oBias", h),
              false); // [T, H]
      x =
          g.layerNorm(
              g.add(attn, x),
              weight(g, layout, layer, "attnNormScale", h),
              weight(g, layout, layer, "attnNormBias", h),
              config.layerNormEps()); // [T, H]
      if (probes) {
        g.output(x, "probe.l" + layer + ".mlp_in", FLOAT, "tokens", h);
      }

      // MLP over the first `f` neurons with exact (erf) GELU: 0.5·u·(1 + erf(u/√2)).
      String up =
          g.gemm(
              x,
              weight(g, layout, layer, "upT", f, h),
              weight(g, layout, layer, "upBias", f),
              true); // [T, F]
      String gelu =
          g.mul(
              g.mul(up, g.constFloat("half", 0.5f)),
              g.add(
                  g.erf(g.div(up, g.constFloat("sqrt2", (float) Math.sqrt(2)))),
                  g.constFloat("one", 1f))); // [T, F]
      if (probes) {
        g.output(gelu, "probe.l" + layer + ".mlp", FLOAT, "tokens", f);
      }
      String down =
          g.gemm(
              gelu,
              weight(g, layout, layer, "down", f, h),
              weight(g, layout, layer, "downBias", h),
              false); // [T, H]
      x =
          g.layerNorm(
              g.add(down, x),
              weight(g, layout, layer, "outNormScale", h),
              weight(g, layout, layer, "outNormBias", h),
              config.layerNormEps()); // [T, H]
      if (probes) {
        g.output(x, "probe.l" + layer + ".out", FLOAT, "tokens", h);
      }
    }
    g.scope("pool");

    // Mean pooling over real tokens, then L2 normalisation (sentence-transformers' Pooling +
    // Normalize).
    String hidden = g.reshape(x, g.concat(0, batchSeq, g.constInts("h", h))); // [B, S, H]
    String m = g.unsqueeze(maskF, g.constInts("axis2", 2)); // [B, S, 1]
    String axis1 = g.constInts("axis1", 1);
    String summed = g.reduceSum(g.mul(hidden, m), axis1, false); // [B, H]
    String count = g.max(g.reduceSum(m, axis1, false), g.constFloat("tiny", 1e-9f)); // [B, 1]
    String embedding = g.lpNormalize(g.div(summed, count), -1); // [B, H]
    g.output(embedding, "sentence_embedding", FLOAT, "batch", h);
    return g.build();
  }

  private static String weight(GraphBuilder g, WeightLayout layout, String key, long... dims) {
    return layout.initializer(g, key, dims);
  }

  private static String weight(
      GraphBuilder g, WeightLayout layout, int layer, String tensor, long... dims) {
    return weight(g, layout, WeightLayout.layerKey(layer, tensor), dims);
  }
}
