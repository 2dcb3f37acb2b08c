package io.flexserve.models.vision;

import java.util.List;

/**
 * Shape of a ViT / RADIO backbone.
 *
 * @param hidden width of the residual stream (H)
 * @param layers transformer blocks
 * @param heads attention heads per block; divides {@code hidden}
 * @param mlp MLP width (F)
 * @param patch patch side in pixels (p)
 * @param clsTokens summary tokens; the summary output is these tokens' final states concatenated
 * @param registers register tokens after the CLS tokens, dropped from every output
 * @param posGrid side of the stored position-embedding grid (the training resolution / p)
 * @param layerNormEps epsilon of every LayerNorm (timm ViTs: 1e-6)
 * @param mean per-channel mean of the input conditioner, RGB, for pixels in [0, 1]
 * @param std per-channel standard deviation of the input conditioner
 */
public record VisionConfig(
    int hidden,
    int layers,
    int heads,
    int mlp,
    int patch,
    int clsTokens,
    int registers,
    int posGrid,
    float layerNormEps,
    List<Float> mean,
    List<Float> std) {
  public VisionConfig {
    if (hidden <= 0
        || layers <= 0
        || heads <= 0
        || mlp <= 0
        || patch <= 0
        || clsTokens <= 0
        || registers < 0
        || posGrid <= 0) {
      throw new IllegalArgumentException(
          "vision dimensions must be positive: hidden="
              + hidden
              + " layers="
              + layers
              + " heads="
              + heads
              + " mlp="
              + mlp
              + " patch="
              + patch
              + " cls="
              + clsTokens
              + " registers="
              + registers
              + " posGrid="
              + posGrid);
    }
    if (hidden % heads != 0) {
      throw new IllegalArgumentException(
          "hidden " + hidden + " is not a multiple of heads " + heads);
    }
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (mean.size() != 3 || std.size() != 3) {
      throw new IllegalArgumentException(
          "input conditioner needs 3 means and 3 stds, got " + mean + " / " + std);
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("input conditioner std must be positive, got " + std);
      }
    }
  }

  public int headDim() {
    return hidden / heads;
  }

  /** CLS plus register tokens: what precedes the patch tokens. */
  public int prefixTokens() {
    return clsTokens + registers;
  }

  /** Floats in one flattened patch, {@code 3·p·p} in (channel, row, column) order. */
  public int patchFloats() {
    return 3 * patch * patch;
  }

  /**
   * Patch-grid side at a square {@code resolution}; it must be a positive multiple of the patch.
   */
  public int grid(int resolution) {
    if (resolution <= 0 || resolution % patch != 0) {
      throw new IllegalArgumentException(
          "resolution " + resolution + " is not a positive multiple of the patch size " + patch);
    }
    return resolution / patch;
  }

  /** Tokens through the blocks at {@code resolution}: prefix tokens plus patches. */
  public int tokens(int resolution) {
    int g = grid(resolution);
    return prefixTokens() + g * g;
  }
}
