package io.flexserve.models.encoder;

/**
 * Shape of a BERT-family encoder.
 *
 * @param vocabSize rows of the word embedding table
 * @param hidden width of the residual stream (H)
 * @param layers number of transformer blocks
 * @param heads attention heads per block; {@code hidden} must divide evenly
 * @param intermediate MLP width (F)
 * @param maxPositions rows of the position embedding table
 * @param layerNormEps epsilon of every LayerNorm
 * @param maxSequenceLength tokens per input after truncation (sentence-transformers'
 *     max_seq_length)
 */
public record EncoderConfig(
    int vocabSize,
    int hidden,
    int layers,
    int heads,
    int intermediate,
    int maxPositions,
    float layerNormEps,
    int maxSequenceLength) {
  public EncoderConfig {
    if (vocabSize <= 0
        || hidden <= 0
        || layers <= 0
        || heads <= 0
        || intermediate <= 0
        || maxPositions <= 0) {
      throw new IllegalArgumentException(
          "encoder dimensions must be positive: "
              + vocabSizeString(vocabSize, hidden, layers, heads, intermediate, maxPositions));
    }
    if (hidden % heads != 0) {
      throw new IllegalArgumentException(
          "hidden " + hidden + " is not a multiple of heads " + heads);
    }
    if (maxSequenceLength <= 0 || maxSequenceLength > maxPositions) {
      throw new IllegalArgumentException(
          "maxSequenceLength " + maxSequenceLength + " outside 1.." + maxPositions);
    }
  }

  public int headDim() {
    return hidden / heads;
  }

  private static String vocabSizeString(int v, int h, int l, int a, int f, int p) {
    return "vocab="
        + v
        + " hidden="
        + h
        + " layers="
        + l
        + " heads="
        + a
        + " intermediate="
        + f
        + " positions="
        + p;
  }
}
