package io.flexserve.models.llm;

import java.util.Arrays;

/**
 * Builds the {@code attention_bias [B, S, T]} input of a decoder graph: 0 where a query may attend
 * a key, {@link DecoderGraph#MASKED} where it may not. Keeping masking outside the graph lets one
 * graph serve prefill, decode, and batches whose rows have different lengths.
 */
public final class AttentionBias {
  private AttentionBias() {}

  /**
   * One row of S new tokens after {@code past} cached ones: query s (at cache index past + s) sees
   * keys 0 … past + s.
   */
  public static float[] causal(int past, int seq) {
    int total = past + seq;
    float[] bias = new float[seq * total];
    for (int s = 0; s < seq; s++) {
      Arrays.fill(bias, s * total + past + s + 1, (s + 1) * total, DecoderGraph.MASKED);
    }
    return bias;
  }
}
