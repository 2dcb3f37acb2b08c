package io.flexserve.models.vision;

import static io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType.FLOAT;

import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;

/**
 * Builds the ONNX graph of one ViT sub-network at one square resolution: RADIO's input conditioner,
 * patch embedding, the resampled position embedding, CLS and register tokens, the kept pre-norm
 * blocks with a prefix of the (importance-ordered) heads and MLP neurons, the final LayerNorm.
 *
 * <p>Input {@code pixels [B, 3, R, R]} (RGB in [0, 1]); outputs {@code summary [B, C·H]} (the CLS
 * tokens' final states, concatenated) and {@code features [B, N, H]} (patch tokens, row-major over
 * the grid; registers dropped). The residual stream is kept 2-D, {@code [B·T, H]}, so every
 * projection is a {@code Gemm} that can read a prefix of its stored weight (see {@link
 * VisionWeights}).
 *
 * <p>With {@code probes} the graph also outputs per kept block i {@code probe.l<i>.in} / {@code
 * .out} {@code [B·T, H]}, {@code probe.l<i>.heads [B, T, heads, hd]} and {@code probe.l<i>.mlp
 * [B·T, F]}: what importance ranking measures.
 */
public final class VisionGraph {
  public static final String INPUT = "pixels";
  public static final String SUMMARY = "summary";
  public static final String FEATURES = "features";

  private VisionGraph() {}

  public static ModelProto build(
      VisionConfig config,
      VisionSubnet subnet,
      int resolution,
      WeightLayout layout,
      boolean probes) {
    subnet.checkFits(config);
    // Sizes: H hidden, p patch, g grid side, N = g² patches, C CLS tokens, P = C + registers, T = P
    // + N tokens,
    // hd head width, A = kept heads × hd, F = kept MLP neurons.
    final int h = config.hidden();
    final int p = config.patch();
    final int g = config.grid(resolution);
    final int n = g * g;
    final int c = config.clsTokens();
    final int prefix = config.prefixTokens();
    final int t = prefix + n;
    final int hd = config.headDim();
    final int heads = subnet.heads();
    final int a = heads * hd;
    final int f = subnet.mlpWidth();
    GraphBuilder gb = new GraphBuilder("flexserve-vision-" + subnet.name() + "-" + resolution);

    // Input conditioner: (x − mean) / std per channel.
    String pixels = gb.input(INPUT, FLOAT, "batch", 3, resolution, resolution); // [B, 3, R, R]
    String x =
        gb.div(
            gb.sub(pixels, w(gb, layout, "cond.mean", 1, 3, 1, 1)),
            w(gb, layout, "cond.std", 1, 3, 1, 1));

    // Patches in RADIO's (c, yy, xx) order, embedded by one Gemm.
    x = gb.reshape(x, gb.constInts("grid", -1, 3, g, p, g, p)); // [B, 3, g, p, g, p]
    x = gb.transpose(x, 0, 2, 4, 1, 3, 5); // [B, g, g, 3, p, p]
    x = gb.reshape(x, gb.constInts("patches", -1, config.patchFloats())); // [B·N, 3·p·p]
    x =
        gb.gemm(
            x,
            w(gb, layout, "patch", h, config.patchFloats()),
            w(gb, layout, "patchBias", h),
            true); // [B·N, H]
    x =
        gb.add(
            gb.reshape(x, gb.constInts("bnh", -1, n, h)),
            w(gb, layout, VisionWeightFile.posKey(resolution), n, h)); // [B, N, H]

    // CLS and register tokens in front, one copy per image.
    String batch = gb.shape(pixels, 0, 1); // [1] = (B)
    String tokens =
        gb.tile(
            gb.unsqueeze(w(gb, layout, "prefix", prefix, h), gb.constInts("axis0", 0)),
            gb.concat(0, batch, gb.constInts("ones", 1, 1))); // [B, P, H]
    x = gb.reshape(gb.concat(1, tokens, x), gb.constInts("flat", -1, h)); // [B·T, H]

    String headsShape = gb.constInts("heads", -1, t, heads, hd); // (B, T, heads, hd)
    String ctxShape = gb.constInts("ctx", -1, a); // (B·T, A)
    String scale = gb.constFloat("scale", (float) (1.0 / Math.sqrt(hd)));
    float eps = config.layerNormEps();

    for (int layer : subnet.layers()) {
      gb.scope("l" + layer);
      if (probes) {
        gb.output(x, "probe.l" + layer + ".in", FLOAT, "rows", h);
      }
      // Attention over the first `heads` heads: Q, K, V are [B·T, A].
      String y =
          gb.layerNorm(
              x, w(gb, layout, layer, "norm1Scale", h), w(gb, layout, layer, "norm1Bias", h), eps);
      String q = gb.gemm(y, w(gb, layout, layer, "qT", a, h), w(gb, layout, layer, "q", a), true);
      String k = gb.gemm(y, w(gb, layout, layer, "kT", a, h), w(gb, layout, layer, "k", a), true);
      String v = gb.gemm(y, w(gb, layout, layer, "vT", a, h), w(gb, layout, layer, "v", a), true);
      String q4 = gb.transpose(gb.reshape(q, headsShape), 0, 2, 1, 3); // [B, heads, T, hd]
      String k4 = gb.transpose(gb.reshape(k, headsShape), 0, 2, 3, 1); // [B, heads, hd, T]
      String v4 = gb.transpose(gb.reshape(v, headsShape), 0, 2, 1, 3); // [B, heads, T, hd]
      String probs = gb.softmax(gb.mul(gb.matmul(q4, k4), scale), -1); // [B, heads, T, T]
      String ctx = gb.transpose(gb.matmul(probs, v4), 0, 2, 1, 3); // [B, T, heads, hd]
      if (probes) {
        gb.output(ctx, "probe.l" + layer + ".heads", FLOAT, "batch", t, heads, hd);
      }
      x =
          gb.add(
              x,
              gb.gemm(
                  gb.reshape(ctx, ctxShape),
                  w(gb, layout, layer, "o", a, h),
                  w(gb, layout, layer, "oBias", h),
                  false)); // [B·T, H]

      // MLP over the first `f` neurons with exact (erf) GELU, as timm's nn.GELU.
      y =
          gb.layerNorm(
              x, w(gb, layout, layer, "norm2Scale", h), w(gb, layout, layer, "norm2Bias", h), eps);
      String up =
          gb.gemm(
              y,
              w(gb, layout, layer, "upT", f, h),
              w(gb, layout, layer, "upBias", f),
              true); // [B·T, F]
      String gelu =
          gb.mul(
              gb.mul(up, gb.constFloat("half", 0.5f)),
              gb.add(
                  gb.erf(gb.div(up, gb.constFloat("sqrt2", (float) Math.sqrt(2)))),
                  gb.constFloat("one", 1f))); // [B·T, F]
      if (probes) {
        gb.output(gelu, "probe.l" + layer + ".mlp", FLOAT, "rows", f);
      }
      x =
          gb.add(
              x,
              gb.gemm(
                  gelu,
                  w(gb, layout, layer, "down", f, h),
                  w(gb, layout, layer, "downBias", h),
                  false)); // [B·T, H]
      if (probes) {
        gb.output(x, "probe.l" + layer + ".out", FLOAT, "rows", h);
      }
    }
    gb.scope("head");

    // Final LayerNorm, then split the token axis: CLS tokens → summary, patch tokens → features.
    x = gb.layerNorm(x, w(gb, layout, "norm.scale", h), w(gb, layout, "norm.bias", h), eps);
    String out = gb.reshape(x, gb.constInts("bth", -1, t, h)); // [B, T, H]
    String axis1 = gb.constInts("axis1", 1);
    String summary =
        gb.slice(out, gb.constInts("from", 0), gb.constInts("to", c), axis1); // [B, C, H]
    gb.output(
        gb.reshape(summary, gb.constInts("bch", -1, (long) c * h)), SUMMARY, FLOAT, "batch", c * h);
    String features =
        gb.slice(out, gb.constInts("from", prefix), gb.constInts("to", t), axis1); // [B, N, H]
    gb.output(features, FEATURES, FLOAT, "batch", n, h);
    return gb.build();
  }

  private static String w(GraphBuilder g, WeightLayout layout, String key, long... dims) {
    return layout.initializer(g, key, dims);
  }

  private static String w(
      GraphBuilder g, WeightLayout layout, int layer, String tensor, long... dims) {
    return layout.initializer(g, WeightLayout.layerKey(layer, tensor), dims);
  }
}
