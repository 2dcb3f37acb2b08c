package io.flexserve.models.llm;

import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One nested sub-network of an elastic decoder: which layers run, and for each of them how many
 * KV-head groups and MLP neurons it keeps. Groups and neurons are prefixes in importance order (see
 * {@link DecoderWeights#permute}), so every sub-network reads a prefix of each stored tensor. A KV
 * group is one key/value head together with the {@code heads / kvHeads} query heads that attend
 * with it; pruning whole groups keeps grouped-query attention intact.
 *
 * @param name URL-safe name, unique within a bundle
 * @param layers kept layers in execution order (ascending index); skipped layers are absent
 */
public record DecoderSubnet(String name, List<Layer> layers) {
  /**
   * A kept layer: its index in the dense model, kept KV groups (≥ 1) and kept MLP neurons (≥ 1).
   */
  public record Layer(int index, int kvGroups, int mlpWidth) {}

  public DecoderSubnet {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("sub-network name must be URL-safe: '" + name + "'");
    }
    layers = List.copyOf(layers);
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i).index() <= layers.get(i - 1).index()) {
        throw new IllegalArgumentException("layers must be in ascending order: " + layers);
      }
    }
  }

  /** The dense model itself. */
  public static DecoderSubnet full(LlamaConfig c) {
    return uniform("full", c, 1.0, 1.0, List.of());
  }

  /**
   * Every kept layer at the same fractions of KV groups and MLP neurons (rounded to whole groups,
   * and neurons to a multiple of 8 so that kernels stay vectorised), skipping the layers in {@code
   * skipped}.
   */
  public static DecoderSubnet uniform(
      String name, LlamaConfig c, double groupFraction, double mlpFraction, List<Integer> skipped) {
    int groups = Math.max(1, (int) Math.round(c.kvHeads() * groupFraction));
    int width =
        Math.min(
            c.intermediate(),
            Math.max(8, (int) Math.round(c.intermediate() * mlpFraction / 8.0) * 8));
    List<Layer> kept = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      if (!skipped.contains(l)) {
        kept.add(new Layer(l, groups, width));
      }
    }
    return new DecoderSubnet(name, kept);
  }

  public void checkFits(LlamaConfig c) {
    for (Layer l : layers) {
      if (l.index() < 0
          || l.index() >= c.layers()
          || l.kvGroups() < 1
          || l.kvGroups() > c.kvHeads()
          || l.mlpWidth() < 1
          || l.mlpWidth() > c.intermediate()) {
        throw new IllegalArgumentException(
            "sub-network " + name + " layer " + l + " does not fit " + c);
      }
    }
  }

  /**
   * Weight floats one decode step reads: the token's embedding row, every kept projection's prefix,
   * the norms and the LM head. Decode is memory-bound, so this is its cost model.
   */
  public long weightFloatsPerToken(LlamaConfig c) {
    long h = c.hidden();
    long total = h + h + (long) c.vocabSize() * h; // embedding row, final norm, LM head
    for (Layer l : layers) {
      total += 2 * h + matmulWeights(c, l);
    }
    return total;
  }

  /**
   * FLOPs (2 per multiply-add) of a prefill of {@code tokens} prompt tokens: projections and
   * attention for every token, the LM head for the last one only (a prefill needs the next-token
   * logits, not the prompt's).
   */
  public long prefillFlops(LlamaConfig c, int tokens) {
    long perToken = 0;
    for (Layer l : layers) {
      long attnWidth = (long) l.kvGroups() * c.groupSize() * c.headDim();
      // Q·Kᵀ and P·V over on average tokens/2 keys (causal)
      perToken += 2 * matmulWeights(c, l) + 2L * 2 * attnWidth * tokens / 2;
    }
    return perToken * tokens + 2L * c.vocabSize() * c.hidden();
  }

  private static long matmulWeights(LlamaConfig c, Layer l) {
    long h = c.hidden();
    long qo = 2L * l.kvGroups() * c.groupSize() * c.headDim() * h;
    long kv = 2L * l.kvGroups() * c.headDim() * h;
    long mlp = 3L * l.mlpWidth() * h;
    return qo + kv + mlp;
  }
}
