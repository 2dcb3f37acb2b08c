package io.flexserve.models.encoder;

import java.util.List;

/**
 * A BERT encoder's weights in flexserve's storage layout, chosen so that every nested sub-network
 * reads a prefix:
 *
 * <ul>
 *   <li>projections whose <em>output</em> shrinks (Q, K, V, MLP up) are stored transposed, {@code
 *       [out, in]}, and run as {@code Gemm(x, W, transB=1)}: the first k output rows are
 *       contiguous;
 *   <li>projections whose <em>input</em> shrinks (attention output, MLP down) are stored {@code
 *       [in, out]}: the first k input rows are contiguous.
 * </ul>
 *
 * Arrays are never modified after construction; permutation builds new instances.
 *
 * @param wordEmbeddings {@code [vocab, H]}
 * @param positionEmbeddings {@code [positions, H]}
 * @param tokenType0 {@code [H]} row 0 of the token-type table (single-segment inputs only)
 * @param embNormScale {@code [H]}
 * @param embNormBias {@code [H]}
 * @param layers one entry per transformer block, in model order
 */
public record EncoderWeights(
    EncoderConfig config,
    float[] wordEmbeddings,
    float[] positionEmbeddings,
    float[] tokenType0,
    float[] embNormScale,
    float[] embNormBias,
    List<Layer> layers) {
  public EncoderWeights {
    int h = config.hidden();
    check("wordEmbeddings", wordEmbeddings, (long) config.vocabSize() * h);
    check("positionEmbeddings", positionEmbeddings, (long) config.maxPositions() * h);
    check("tokenType0", tokenType0, h);
    check("embNormScale", embNormScale, h);
    check("embNormBias", embNormBias, h);
    if (layers.size() != config.layers()) {
      throw new IllegalArgumentException(
          "expected " + config.layers() + " layers, got " + layers.size());
    }
    for (Layer layer : layers) {
      layer.check(config);
    }
    layers = List.copyOf(layers);
  }

  /**
   * One transformer block. Shapes with H = hidden, F = intermediate; attention widths are heads ×
   * headDim = H.
   *
   * @param qT {@code [H(out), H(in)]} query projection, transposed
   * @param q bias {@code [H]}
   * @param kT {@code [H(out), H(in)]}
   * @param k bias {@code [H]}
   * @param vT {@code [H(out), H(in)]}
   * @param v bias {@code [H]}
   * @param o {@code [H(in), H(out)]} attention output projection
   * @param oBias {@code [H]}
   * @param attnNormScale {@code [H]}
   * @param attnNormBias {@code [H]}
   * @param upT {@code [F, H]} MLP up projection, transposed
   * @param upBias {@code [F]}
   * @param down {@code [F, H]} MLP down projection
   * @param downBias {@code [H]}
   * @param outNormScale {@code [H]}
   * @param outNormBias {@code [H]}
   */
  public record Layer(
      float[] qT,
      float[] q,
      float[] kT,
      float[] k,
      float[] vT,
      float[] v,
      float[] o,
      float[] oBias,
      float[] attnNormScale,
      float[] attnNormBias,
      float[] upT,
      float[] upBias,
      float[] down,
      float[] downBias,
      float[] outNormScale,
      float[] outNormBias) {
    void check(EncoderConfig c) {
      long h = c.hidden();
      long f = c.intermediate();
      EncoderWeights.check("qT", qT, h * h);
      EncoderWeights.check("q", q, h);
      EncoderWeights.check("kT", kT, h * h);
      EncoderWeights.check("k", k, h);
      EncoderWeights.check("vT", vT, h * h);
      EncoderWeights.check("v", v, h);
      EncoderWeights.check("o", o, h * h);
      EncoderWeights.check("oBias", oBias, h);
      EncoderWeights.check("attnNormScale", attnNormScale, h);
      EncoderWeights.check("attnNormBias", attnNormBias, h);
      EncoderWeights.check("upT", upT, f * h);
      EncoderWeights.check("upBias", upBias, f);
      EncoderWeights.check("down", down, f * h);
      EncoderWeights.check("downBias", downBias, h);
      EncoderWeights.check("outNormScale", outNormScale, h);
      EncoderWeights.check("outNormBias", outNormBias, h);
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
