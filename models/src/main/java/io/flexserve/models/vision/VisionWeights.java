package io.flexserve.models.vision;

import java.util.List;

/**
 * A ViT's weights in flexserve's nested storage layout (as for the encoders): projections whose
 * output shrinks (Q, K, V, MLP up, patch embedder) are stored {@code [out, in]} and run as {@code
 * Gemm(x, W, transB=1)}; projections whose input shrinks (attention output, MLP down) are stored
 * {@code [in, out]}. Never modified after construction; permutation builds new instances.
 *
 * @param patchEmbed {@code [H, 3·p·p]} (RADIO's {@code embedder.weight}, or timm's conv weight
 *     flattened)
 * @param patchBias {@code [H]} (zeros for RADIO, whose embedder has no bias)
 * @param prefix {@code [C + R, H]} CLS tokens then registers (a timm CLS position embedding already
 *     added)
 * @param pos {@code [g·g, H]} position embedding of the stored grid, row-major over (row, column)
 * @param normScale {@code [H]} final LayerNorm
 * @param normBias {@code [H]}
 */
public record VisionWeights(
    VisionConfig config,
    float[] patchEmbed,
    float[] patchBias,
    float[] prefix,
    float[] pos,
    float[] normScale,
    float[] normBias,
    List<Layer> layers) {
  public VisionWeights {
    int h = config.hidden();
    check("patchEmbed", patchEmbed, (long) h * config.patchFloats());
    check("patchBias", patchBias, h);
    check("prefix", prefix, (long) config.prefixTokens() * h);
    check("pos", pos, (long) config.posGrid() * config.posGrid() * h);
    check("normScale", normScale, h);
    check("normBias", normBias, h);
    layers = List.copyOf(layers);
    if (layers.size() != config.layers()) {
      throw new IllegalArgumentException(
          "expected " + config.layers() + " blocks, got " + layers.size());
    }
    for (Layer l : layers) {
      l.check(config);
    }
  }

  /**
   * One pre-norm block: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))}. H = hidden, F =
   * MLP width.
   *
   * @param qT {@code [H(out), H(in)]}, heads in blocks of headDim rows
   * @param q {@code [H]}
   * @param o {@code [H(in), H(out)]} attention projection, transposed from timm's {@code
   *     proj.weight}
   * @param upT {@code [F, H]} {@code fc1.weight}
   * @param down {@code [F, H]} {@code fc2.weight} transposed
   */
  public record Layer(
      float[] norm1Scale,
      float[] norm1Bias,
      float[] qT,
      float[] q,
      float[] kT,
      float[] k,
      float[] vT,
      float[] v,
      float[] o,
      float[] oBias,
      float[] norm2Scale,
      float[] norm2Bias,
      float[] upT,
      float[] upBias,
      float[] down,
      float[] downBias) {
    void check(VisionConfig c) {
      long h = c.hidden();
      long f = c.mlp();
      VisionWeights.check("norm1Scale", norm1Scale, h);
      VisionWeights.check("norm1Bias", norm1Bias, h);
      VisionWeights.check("qT", qT, h * h);
      VisionWeights.check("q", q, h);
      VisionWeights.check("kT", kT, h * h);
      VisionWeights.check("k", k, h);
      VisionWeights.check("vT", vT, h * h);
      VisionWeights.check("v", v, h);
      VisionWeights.check("o", o, h * h);
      VisionWeights.check("oBias", oBias, h);
      VisionWeights.check("norm2Scale", norm2Scale, h);
      VisionWeights.check("norm2Bias", norm2Bias, h);
      VisionWeights.check("upT", upT, f * h);
      VisionWeights.check("upBias", upBias, f);
      VisionWeights.check("down", down, f * h);
      VisionWeights.check("downBias", downBias, h);
    }
  }

  static void check(String name, float[] values, long expected) {
    if (values == null || values.length != expected) {
      throw new IllegalArgumentException(
          name
              + " has "
              + (values == null ? "no" : values.length)
              + " floats, expected "
              + expected);
    }
  }
}
