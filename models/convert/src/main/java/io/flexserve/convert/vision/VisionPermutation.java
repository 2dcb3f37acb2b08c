package io.flexserve.convert.vision;

import io.flexserve.models.vision.VisionConfig;
import io.flexserve.models.vision.VisionWeights;
import io.flexserve.models.weights.RowMajor;
import java.util.ArrayList;
import java.util.List;

/**
 * Reorders heads and MLP neurons into importance order. Heads and neurons are summed, so the
 * permuted model computes the same function, while every prefix becomes the best sub-network of its
 * size.
 */
final class VisionPermutation {
  private VisionPermutation() {}

  /**
   * {@code headOrder[l][i]} / {@code neuronOrder[l][i]}: the old index that moves to position i of
   * block l.
   */
  static VisionWeights apply(VisionWeights w, int[][] headOrder, int[][] neuronOrder) {
    VisionConfig c = w.config();
    int h = c.hidden();
    int hd = c.headDim();
    List<VisionWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      VisionWeights.Layer b = w.layers().get(l);
      int[] heads = headOrder[l];
      int[] neurons = neuronOrder[l];
      layers.add(
          new VisionWeights.Layer(
              b.norm1Scale(),
              b.norm1Bias(),
              RowMajor.permuteBlocks(b.qT(), heads, hd * h),
              RowMajor.permuteBlocks(b.q(), heads, hd),
              RowMajor.permuteBlocks(b.kT(), heads, hd * h),
              RowMajor.permuteBlocks(b.k(), heads, hd),
              RowMajor.permuteBlocks(b.vT(), heads, hd * h),
              RowMajor.permuteBlocks(b.v(), heads, hd),
              RowMajor.permuteBlocks(b.o(), heads, hd * h),
              b.oBias(),
              b.norm2Scale(),
              b.norm2Bias(),
              RowMajor.permuteBlocks(b.upT(), neurons, h),
              RowMajor.permuteBlocks(b.upBias(), neurons, 1),
              RowMajor.permuteBlocks(b.down(), neurons, h),
              b.downBias()));
    }
    return new VisionWeights(
        c, w.patchEmbed(), w.patchBias(), w.prefix(), w.pos(), w.normScale(), w.normBias(), layers);
  }
}
