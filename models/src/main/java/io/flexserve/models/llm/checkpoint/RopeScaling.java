package io.flexserve.models.llm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RoPE frequency scaling from a Hugging Face {@code rope_scaling} object, which stretches the
 * rotary wavelengths so a model reaches past the context it was trained on. A config with no
 * scaling (absent, {@code null} or {@code "rope_type": "default"}) has no {@code RopeScaling} at
 * all.
 *
 * @param type {@code "llama3"} (Llama 3.1+) or {@code "linear"} (position interpolation)
 * @param factor how much longer the context becomes
 * @param lowFreqFactor llama3 only (else 0): wavelengths above {@code originalMaxPositions /
 *     lowFreqFactor} are scaled
 * @param highFreqFactor llama3 only (else 0): wavelengths below {@code originalMaxPositions /
 *     highFreqFactor} are kept
 * @param originalMaxPositions llama3 only (else 0): the context length the model was pretrained
 *     with
 */
public record RopeScaling(
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositions) {
  public static final String LLAMA3 = "llama3";
  public static final String LINEAR = "linear";

  public RopeScaling {
    if (!LLAMA3.equals(type) && !LINEAR.equals(type)) {
      throw new IllegalArgumentException(
          "unsupported rope_scaling.rope_type '" + type + "' (supported: default, linear, llama3)");
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("rope_scaling.factor must be positive, got " + factor);
    }
    if (type.equals(LLAMA3)) {
      if (!(lowFreqFactor > 0)) {
        throw new IllegalArgumentException(
            "rope_scaling.low_freq_factor must be positive, got " + lowFreqFactor);
      }
      if (!(highFreqFactor > lowFreqFactor)) {
        throw new IllegalArgumentException(
            "rope_scaling.high_freq_factor "
                + highFreqFactor
                + " must be greater than rope_scaling.low_freq_factor "
                + lowFreqFactor);
      }
      if (originalMaxPositions <= 0) {
        throw new IllegalArgumentException(
            "rope_scaling.original_max_position_embeddings must be positive, got "
                + originalMaxPositions);
      }
    }
  }

  public static RopeScaling linear(double factor) {
    return new RopeScaling(LINEAR, factor, 0, 0, 0);
  }

  public static RopeScaling llama3(
      double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
    return new RopeScaling(LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMaxPositions);
  }

  /**
   * Scales unscaled inverse frequencies as transformers' {@code
   * _compute_linear_scaling_rope_parameters} and {@code _compute_llama3_parameters} do (in double,
   * where transformers uses float32).
   *
   * @param inverseFrequencies {@code [headDim / 2]}, {@code 1 / theta^(2i / headDim)}; not modified
   * @return a new array of the same length
   */
  public double[] apply(double[] inverseFrequencies) {
    double[] out = new double[inverseFrequencies.length];
    if (type.equals(LINEAR)) {
      for (int i = 0; i < out.length; i++) {
        out[i] = inverseFrequencies[i] / factor;
      }
      return out;
    }
    double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
    double highFreqWavelen = originalMaxPositions / highFreqFactor;
    for (int i = 0; i < out.length; i++) {
      double inv = inverseFrequencies[i];
      double wavelen = 2 * Math.PI / inv;
      if (wavelen < highFreqWavelen) {
        out[i] = inv;
      } else if (wavelen > lowFreqWavelen) {
        out[i] = inv / factor;
      } else {
        double smooth =
            (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        out[i] = (1 - smooth) * inv / factor + smooth * inv;
      }
    }
    return out;
  }

  /** Reads {@code rope_scaling}; {@code null} when absent, null or {@code "default"}. */
  static RopeScaling parse(JsonNode node, String source) throws CheckpointException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new CheckpointException(
          source + ": field rope_scaling must be an object or null, got " + node);
    }
    JsonFields f = new JsonFields(node, source, "rope_scaling.");
    String type = f.present("rope_type") ? f.optionalString("rope_type") : f.optionalString("type");
    if (type == null) {
      throw f.missing("rope_type");
    }
    try {
      switch (type) {
        case "default":
          return null;
        case LINEAR:
          return linear(f.requiredDouble("factor"));
        case LLAMA3:
          return llama3(
              f.requiredDouble("factor"),
              f.requiredDouble("low_freq_factor"),
              f.requiredDouble("high_freq_factor"),
              f.requiredInt("original_max_position_embeddings"));
        default:
          throw f.error(
              "unsupported rope_scaling.rope_type '"
                  + type
                  + "' (supported: default, linear, llama3)");
      }
    } catch (IllegalArgumentException e) {
      throw f.error(e.getMessage());
    }
  }

  /** The Hugging Face {@code rope_scaling} object. */
  ObjectNode toJson() {
    ObjectNode o = JsonFields.MAPPER.createObjectNode();
    o.put("rope_type", type);
    o.put("factor", factor);
    if (type.equals(LLAMA3)) {
      o.put("low_freq_factor", lowFreqFactor);
      o.put("high_freq_factor", highFreqFactor);
      o.put("original_max_position_embeddings", originalMaxPositions);
    }
    return o;
  }
}
