package io.flexserve.models.encoder;

import io.flexserve.models.weights.RowMajor;
import java.util.ArrayList;
import java.util.List;

/**
 * Reorders heads and MLP neurons so storage order is importance order. The permuted model computes
 * exactly the same function (heads and neurons are summed, so their order does not matter) but
 * every prefix is now the best sub-network of its size.
 */
public final class Permutation {
  private Permutation() {}

  /**
   * @param headOrder per layer, old head index for each new position (most important first)
   * @param neuronOrder per layer, old neuron index for each new position
   */
  public static EncoderWeights apply(EncoderWeights w, int[][] headOrder, int[][] neuronOrder) {
    EncoderConfig c = w.config();
    int h = c.hidden();
    int hd = c.headDim();
    List<EncoderWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      EncoderWeights.Layer b = w.layers().get(l);
      int[] heads = headOrder[l];
      int[] neurons = neuronOrder[l];
      layers.add(
          new EncoderWeights.Layer(
              rows(b.qT(), heads, hd * h),
              rows(b.q(), heads, hd),
              rows(b.kT(), heads, hd * h),
              rows(b.k(), heads, hd),
              rows(b.vT(), heads, hd * h),
              rows(b.v(), heads, hd),
              rows(b.o(), heads, hd * h),
              b.oBias(),
              b.attnNormScale(),
              b.attnNormBias(),
              rows(b.upT(), neurons, h),
              rows(b.upBias(), neurons, 1),
              rows(b.down(), neurons, h),
              b.downBias(),
              b.outNormScale(),
              b.outNormBias()));
    }
    return new EncoderWeights(
        c,
        w.wordEmbeddings(),
        w.positionEmbeddings(),
        w.tokenType0(),
        w.embNormScale(),
        w.embNormBias(),
        layers);
  }

  private static float[] rows(float[] m, int[] order, int blockSize) {
    return RowMajor.permuteBlocks(m, order, blockSize);
  }
}
