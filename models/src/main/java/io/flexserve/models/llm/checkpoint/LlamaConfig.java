package io.flexserve.models.llm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shape and hyper-parameters of a Llama-family decoder, read from a Hugging Face {@code
 * config.json}. Defaults are transformers' own ({@code LlamaConfig}, {@code MistralConfig}), so a
 * config that loads there means the same here. Features we do not implement (biases, non-SiLU
 * activations, sliding-window attention, other RoPE scalings) are rejected rather than silently
 * ignored, since ignoring them would produce a plausible but wrong model.
 *
 * @param modelType {@code "llama"} or {@code "mistral"}
 * @param hidden width of the residual stream (H), {@code hidden_size}
 * @param intermediate MLP width (I), {@code intermediate_size}
 * @param layers decoder blocks, {@code num_hidden_layers}
 * @param heads query heads, {@code num_attention_heads}
 * @param kvHeads key/value heads (grouped-query attention when fewer than {@code heads}), {@code
 *     num_key_value_heads}
 * @param headDim width of one head; even, since RoPE rotates pairs; {@code head_dim}
 * @param vocabSize rows of the embedding and LM-head tables (V)
 * @param maxPositions {@code max_position_embeddings}
 * @param rmsNormEps epsilon of every RMSNorm
 * @param ropeTheta RoPE base
 * @param ropeScaling {@code null} for plain RoPE
 * @param tiedEmbeddings the LM head is the embedding table ({@code lm_head.weight} absent)
 * @param bosTokenId beginning-of-sequence id
 * @param eosTokenIds every id that ends generation (Llama 3 instruct models have several)
 */
public record LlamaConfig(
    String modelType,
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int vocabSize,
    int maxPositions,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tiedEmbeddings,
    int bosTokenId,
    List<Integer> eosTokenIds) {
  public static final String LLAMA = "llama";
  public static final String MISTRAL = "mistral";

  public LlamaConfig {
    if (!LLAMA.equals(modelType) && !MISTRAL.equals(modelType)) {
      throw new IllegalArgumentException(
          "unsupported model_type '" + modelType + "' (supported: llama, mistral)");
    }
    positive("hidden_size", hidden);
    positive("intermediate_size", intermediate);
    positive("num_hidden_layers", layers);
    positive("num_attention_heads", heads);
    positive("num_key_value_heads", kvHeads);
    positive("head_dim", headDim);
    positive("vocab_size", vocabSize);
    positive("max_position_embeddings", maxPositions);
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException(
          "head_dim must be even (RoPE rotates pairs of dimensions), got " + headDim);
    }
    if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
      throw new IllegalArgumentException("rms_norm_eps must be positive, got " + rmsNormEps);
    }
    if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
      throw new IllegalArgumentException("rope_theta must be positive, got " + ropeTheta);
    }
    if (eosTokenIds == null || eosTokenIds.isEmpty()) {
      throw new IllegalArgumentException("eos_token_id must name at least one token");
    }
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  /** Reads {@code config.json}; messages name the file by its file name. */
  public static LlamaConfig read(Path configJson) throws CheckpointException {
    String name = configJson.getFileName().toString();
    String json;
    try {
      json = Files.readString(configJson, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(name + ": not found at " + configJson, e);
    } catch (IOException e) {
      throw new CheckpointException(
          name + ": cannot read " + configJson + ": " + e.getMessage(), e);
    }
    return parse(json, name);
  }

  /**
   * Parses a Hugging Face {@code config.json}.
   *
   * @param sourceName prefix of every error message, usually the file name
   */
  public static LlamaConfig parse(String json, String sourceName) throws CheckpointException {
    JsonFields f = new JsonFields(JsonFields.parseObject(json, sourceName), sourceName, "");
    String type = f.requiredString("model_type");
    if (!type.equals(LLAMA) && !type.equals(MISTRAL)) {
      throw f.error("unsupported model_type '" + type + "' (supported: llama, mistral)");
    }
    String act = f.optionalString("hidden_act");
    if (act != null && !act.equals("silu")) {
      throw f.error("unsupported hidden_act '" + act + "' (supported: silu)");
    }
    for (String bias : List.of("attention_bias", "mlp_bias")) {
      if (f.optionalBoolean(bias, false)) {
        throw f.error(bias + " true is unsupported (Llama projections have no biases here)");
      }
    }
    int hidden = f.requiredInt("hidden_size");
    int intermediate = f.requiredInt("intermediate_size");
    int layers = f.requiredInt("num_hidden_layers");
    int heads = f.requiredInt("num_attention_heads");
    int vocab = f.requiredInt("vocab_size");
    int kvHeads = f.optionalInt("num_key_value_heads", heads);
    int headDim;
    if (f.present("head_dim")) {
      headDim = f.optionalInt("head_dim", 0);
    } else {
      if (heads > 0 && hidden % heads != 0) {
        throw f.error(
            "hidden_size "
                + hidden
                + " is not a multiple of num_attention_heads "
                + heads
                + " and head_dim is absent");
      }
      headDim = heads > 0 ? hidden / heads : 0;
    }
    // MistralConfig defaults to a 128k context and a 4096-token window; an explicit null window
    // means none.
    boolean mistral = type.equals(MISTRAL);
    int maxPositions = f.optionalInt("max_position_embeddings", mistral ? 4096 * 32 : 2048);
    if (mistral) {
      boolean explicitNull = f.hasKey("sliding_window") && !f.present("sliding_window");
      int window = f.optionalInt("sliding_window", 4096);
      if (!explicitNull && window < maxPositions) {
        throw f.error(
            "sliding_window "
                + window
                + (f.present("sliding_window") ? "" : " (the default when absent)")
                + " is smaller than max_position_embeddings "
                + maxPositions
                + "; sliding-window attention is unsupported");
      }
    }
    double eps = f.optionalDouble("rms_norm_eps", 1e-6);
    double theta = f.optionalDouble("rope_theta", 10000);
    RopeScaling scaling = RopeScaling.parse(f.get("rope_scaling"), sourceName);
    boolean tied = f.optionalBoolean("tie_word_embeddings", false);
    int bos = f.optionalInt("bos_token_id", 1);
    List<Integer> eos = eosIds(f);
    try {
      return new LlamaConfig(
          type,
          hidden,
          intermediate,
          layers,
          heads,
          kvHeads,
          headDim,
          vocab,
          maxPositions,
          eps,
          theta,
          scaling,
          tied,
          bos,
          eos);
    } catch (IllegalArgumentException e) {
      throw f.error(e.getMessage());
    }
  }

  private static List<Integer> eosIds(JsonFields f) throws CheckpointException {
    JsonNode v = f.get("eos_token_id");
    if (v == null) {
      return List.of(2);
    }
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      return List.of(v.intValue());
    }
    if (!v.isArray()) {
      throw f.wrongType("eos_token_id", "an integer or a list of integers");
    }
    List<Integer> ids = new ArrayList<>();
    for (JsonNode id : v) {
      if (!id.isIntegralNumber() || !id.canConvertToInt()) {
        throw f.wrongType("eos_token_id", "an integer or a list of integers");
      }
      ids.add(id.intValue());
    }
    return ids;
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  /** Query heads sharing one key/value head. */
  public int groupSize() {
    return heads / kvHeads;
  }

  /**
   * Weights in the checkpoint: embeddings, every block, the final norm, and the LM head unless
   * tied.
   */
  public long parameterCount() {
    long h = hidden;
    long q = (long) heads * headDim;
    long kv = (long) kvHeads * headDim;
    long perLayer = 2 * h + h * q + 2 * h * kv + q * h + 3 * h * intermediate;
    long table = (long) vocabSize * h;
    return table + layers * perLayer + h + (tiedEmbeddings ? 0 : table);
  }

  /**
   * {@code [headDim / 2]} RoPE inverse frequencies of this model, scaled by {@link #ropeScaling()}
   * if any.
   */
  public double[] inverseFrequencies() {
    return inverseFrequencies(headDim, ropeTheta);
  }

  /**
   * {@code [headDim / 2]} inverse frequencies {@code 1 / theta^(2i / headDim)}, scaled by this
   * config's {@link #ropeScaling()} as transformers does.
   */
  public double[] inverseFrequencies(int headDim, double theta) {
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new IllegalArgumentException("headDim must be positive and even, got " + headDim);
    }
    double[] inv = new double[headDim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    return ropeScaling == null ? inv : ropeScaling.apply(inv);
  }

  /** A Hugging Face {@code config.json} that {@link #parse} reads back to an equal config. */
  public String toJson() {
    return toJson(null);
  }

  /** As {@link #toJson()}, with {@code torch_dtype} set when {@code torchDtype} is not null. */
  public String toJson(String torchDtype) {
    ObjectNode o = JsonFields.MAPPER.createObjectNode();
    boolean mistral = modelType.equals(MISTRAL);
    o.putArray("architectures").add(mistral ? "MistralForCausalLM" : "LlamaForCausalLM");
    o.put("model_type", modelType);
    o.put("hidden_size", hidden);
    o.put("intermediate_size", intermediate);
    o.put("num_hidden_layers", layers);
    o.put("num_attention_heads", heads);
    o.put("num_key_value_heads", kvHeads);
    o.put("head_dim", headDim);
    o.put("vocab_size", vocabSize);
    o.put("max_position_embeddings", maxPositions);
    o.put("rms_norm_eps", rmsNormEps);
    o.put("rope_theta", ropeTheta);
    if (ropeScaling == null) {
      o.putNull("rope_scaling");
    } else {
      o.set("rope_scaling", ropeScaling.toJson());
    }
    o.put("hidden_act", "silu");
    if (mistral) {
      o.putNull("sliding_window");
    } else {
      o.put("attention_bias", false);
      o.put("mlp_bias", false);
    }
    o.put("tie_word_embeddings", tiedEmbeddings);
    o.put("bos_token_id", bosTokenId);
    if (eosTokenIds.size() == 1) {
      o.put("eos_token_id", eosTokenIds.get(0));
    } else {
      ArrayNode eos = o.putArray("eos_token_id");
      eosTokenIds.forEach(eos::add);
    }
    if (torchDtype != null) {
      o.put("torch_dtype", torchDtype);
    }
    try {
      return JsonFields.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a tree of plain values", e);
    }
  }
}
