package io.flexserve.models.llm.checkpoint;

import java.util.LinkedHashMap;

/**
 * Hugging Face tensor names of a Llama-family checkpoint, so importers never hand-write them.
 * Linear weights are stored {@code [out, in]} (PyTorch {@code nn.Linear}): a projection computes
 * {@code x · Wᵀ}.
 */
public final class HfTensorNames {
  /** {@code [V, H]}. */
  public static final String EMBED_TOKENS = "model.embed_tokens.weight";

  /** {@code [H]}, the RMSNorm before the LM head. */
  public static final String FINAL_NORM = "model.norm.weight";

  /** {@code [V, H]}; absent when embeddings are tied. */
  public static final String LM_HEAD = "lm_head.weight";

  private HfTensorNames() {}

  private static String layer(int layer, String module) {
    if (layer < 0) {
      throw new IllegalArgumentException("layer index must be non-negative, got " + layer);
    }
    return "model.layers." + layer + "." + module + ".weight";
  }

  /** {@code [H]}, the RMSNorm before attention. */
  public static String inputNorm(int layer) {
    return layer(layer, "input_layernorm");
  }

  /** {@code [heads·headDim, H]}. */
  public static String qProj(int layer) {
    return layer(layer, "self_attn.q_proj");
  }

  /** {@code [kvHeads·headDim, H]}. */
  public static String kProj(int layer) {
    return layer(layer, "self_attn.k_proj");
  }

  /** {@code [kvHeads·headDim, H]}. */
  public static String vProj(int layer) {
    return layer(layer, "self_attn.v_proj");
  }

  /** {@code [H, heads·headDim]}. */
  public static String oProj(int layer) {
    return layer(layer, "self_attn.o_proj");
  }

  /** {@code [H]}, the RMSNorm before the MLP. */
  public static String postAttentionNorm(int layer) {
    return layer(layer, "post_attention_layernorm");
  }

  /** {@code [I, H]}. */
  public static String gateProj(int layer) {
    return layer(layer, "mlp.gate_proj");
  }

  /** {@code [I, H]}. */
  public static String upProj(int layer) {
    return layer(layer, "mlp.up_proj");
  }

  /** {@code [H, I]}. */
  public static String downProj(int layer) {
    return layer(layer, "mlp.down_proj");
  }

  /**
   * Every tensor a checkpoint of {@code config} must hold, with its shape, in the order
   * transformers saves them (embeddings, each block, final norm, LM head unless tied). A new map on
   * each call.
   */
  public static LinkedHashMap<String, long[]> expectedShapes(LlamaConfig config) {
    long h = config.hidden();
    long q = (long) config.heads() * config.headDim();
    long kv = (long) config.kvHeads() * config.headDim();
    long i = config.intermediate();
    long v = config.vocabSize();
    LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put(EMBED_TOKENS, new long[] {v, h});
    for (int l = 0; l < config.layers(); l++) {
      shapes.put(inputNorm(l), new long[] {h});
      shapes.put(qProj(l), new long[] {q, h});
      shapes.put(kProj(l), new long[] {kv, h});
      shapes.put(vProj(l), new long[] {kv, h});
      shapes.put(oProj(l), new long[] {h, q});
      shapes.put(postAttentionNorm(l), new long[] {h});
      shapes.put(gateProj(l), new long[] {i, h});
      shapes.put(upProj(l), new long[] {i, h});
      shapes.put(downProj(l), new long[] {h, i});
    }
    shapes.put(FINAL_NORM, new long[] {h});
    if (!config.tiedEmbeddings()) {
      shapes.put(LM_HEAD, new long[] {v, h});
    }
    return shapes;
  }
}
