package io.flexserve.convert.llm;

import io.flexserve.convert.compress.Gram;
import io.flexserve.models.llm.Linear;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.Map;

/**
 * The calibration statistics that compression needs: per block, the second moment of each distinct
 * linear input ({@link Linear.Input}), read from the probe outputs of {@link DecoderGraph} ({@code
 * probe.l<l>.attn_in}, {@code .heads}, {@code .mlp_in}, {@code .mlp}). Mutable: feed it from one
 * thread.
 */
public final class LayerActivations {
  private final Gram[][] grams; // [layer][Input]

  public LayerActivations(LlamaConfig c) {
    grams = new Gram[c.layers()][Linear.Input.values().length];
    for (int l = 0; l < c.layers(); l++) {
      for (Linear.Input in : Linear.Input.values()) {
        grams[l][in.ordinal()] = new Gram(Linear.inputDim(in, c));
      }
    }
  }

  /**
   * Adds one window's probe outputs of a full-model probe graph for block {@code layer} ({@code
   * tokens} rows each).
   */
  public void add(int layer, int tokens, Map<String, float[]> probe) {
    String p = "probe.l" + layer + ".";
    grams[layer][Linear.Input.ATTN.ordinal()].add(probe.get(p + "attn_in"), tokens);
    grams[layer][Linear.Input.HEADS.ordinal()].add(probe.get(p + "heads"), tokens);
    grams[layer][Linear.Input.MLP.ordinal()].add(probe.get(p + "mlp_in"), tokens);
    grams[layer][Linear.Input.ACT.ordinal()].add(probe.get(p + "mlp"), tokens);
  }

  public Gram gram(int layer, Linear.Input input) {
    return grams[layer][input.ordinal()];
  }
}
