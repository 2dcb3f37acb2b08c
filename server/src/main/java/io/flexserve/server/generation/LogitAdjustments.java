package io.flexserve.server.generation;

import java.util.Map;

/**
 * OpenAI's logit processors, applied to a row's logits before sampling (and so before its
 * logprobs): {@code logit[t] += bias[t] − frequencyPenalty · count[t] − presencePenalty · (count[t]
 * > 0)}, where {@code count} counts the tokens generated so far (not the prompt's), as OpenAI's API
 * reference defines them.
 *
 * @param presencePenalty in [-2, 2]: penalizes any token already generated once
 * @param frequencyPenalty in [-2, 2]: penalizes a token by how often it was generated
 * @param bias {@code logit_bias}: token id → added logit, in [-100, 100]
 */
public record LogitAdjustments(
    double presencePenalty, double frequencyPenalty, Map<Integer, Double> bias) {
  public static final LogitAdjustments NONE = new LogitAdjustments(0, 0, Map.of());

  public LogitAdjustments {
    bias = Map.copyOf(bias);
  }

  /** Whether the penalties are on, so the generated tokens must be counted. */
  boolean penalizes() {
    return presencePenalty != 0 || frequencyPenalty != 0;
  }

  /** Whether these change nothing. */
  public boolean none() {
    return presencePenalty == 0 && frequencyPenalty == 0 && bias.isEmpty();
  }

  /**
   * {@code logits[0, vocab)} adjusted, as a new array ({@code logits} itself when there is nothing
   * to do).
   */
  float[] apply(float[] logits, int vocab, Map<Integer, Integer> generatedCounts) {
    if (none()) {
      return logits;
    }
    float[] out = java.util.Arrays.copyOf(logits, vocab);
    bias.forEach((token, b) -> out[token] += b.floatValue());
    if (penalizes()) {
      generatedCounts.forEach(
          (token, count) -> out[token] -= (float) (frequencyPenalty * count + presencePenalty));
    }
    return out;
  }
}
