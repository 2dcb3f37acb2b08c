package io.flexserve.models.llm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {
  private static final String MINIMAL =
      """
      {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
       "num_attention_heads": 4, "vocab_size": 300%s}""";

  private static LlamaConfig parse(String extra) throws CheckpointException {
    return LlamaConfig.parse(MINIMAL.formatted(extra), "config.json");
  }

  private static String failure(String json) {
    return assertThrows(CheckpointException.class, () -> LlamaConfig.parse(json, "config.json"))
        .getMessage();
  }

  private static String failureWith(String extra) {
    return failure(MINIMAL.formatted(extra));
  }

  @Test
  void readsTinyStoriesConfig() throws Exception {
    LlamaConfig c = LlamaConfig.read(TestFiles.tinyStories().resolve("config.json"));
    assertEquals("llama", c.modelType());
    assertEquals(64, c.hidden());
    assertEquals(172, c.intermediate());
    assertEquals(5, c.layers());
    assertEquals(8, c.heads());
    assertEquals(4, c.kvHeads());
    assertEquals(8, c.headDim());
    assertEquals(2, c.groupSize());
    assertEquals(512, c.vocabSize());
    assertEquals(512, c.maxPositions());
    assertEquals(1e-5, c.rmsNormEps());
    assertEquals(10000, c.ropeTheta());
    assertNull(c.ropeScaling());
    assertTrue(c.tiedEmbeddings());
    assertEquals(1, c.bosTokenId());
    assertEquals(List.of(2), c.eosTokenIds());
  }

  @Test
  void absentFieldsTakeTransformersDefaults() throws Exception {
    LlamaConfig c = parse("");
    assertEquals(4, c.kvHeads());
    assertEquals(16, c.headDim());
    assertEquals(2048, c.maxPositions());
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(10000, c.ropeTheta());
    assertFalse(c.tiedEmbeddings());
    assertEquals(1, c.bosTokenId());
    assertEquals(List.of(2), c.eosTokenIds());
    assertEquals(16, parse(", \"head_dim\": null").headDim());
    assertEquals(32, parse(", \"head_dim\": 32").headDim());
  }

  @Test
  void eosMayBeAList() throws Exception {
    assertEquals(
        List.of(128001, 128008, 128009),
        parse(", \"eos_token_id\": [128001, 128008, 128009]").eosTokenIds());
    assertTrue(failureWith(", \"eos_token_id\": \"</s>\"").contains("eos_token_id"));
  }

  @Test
  void toJsonRoundTrips() throws Exception {
    List<LlamaConfig> configs =
        List.of(
            SyntheticCheckpoint.preset("tiny"),
            SyntheticCheckpoint.preset("100m"),
            LlamaConfig.read(TestFiles.tinyStories().resolve("config.json")),
            new LlamaConfig(
                "llama",
                2048,
                8192,
                16,
                32,
                8,
                64,
                128256,
                131072,
                1e-5,
                500000,
                RopeScaling.llama3(32, 1, 4, 8192),
                true,
                128000,
                List.of(128001, 128008, 128009)),
            new LlamaConfig(
                "llama",
                64,
                128,
                2,
                4,
                4,
                16,
                300,
                4096,
                1e-6,
                10000,
                RopeScaling.linear(2),
                false,
                1,
                List.of(2)),
            new LlamaConfig(
                "mistral",
                64,
                128,
                2,
                4,
                1,
                32,
                300,
                32768,
                1e-5,
                1e6,
                null,
                false,
                1,
                List.of(2)));
    for (LlamaConfig c : configs) {
      assertEquals(c, LlamaConfig.parse(c.toJson(), "config.json"), c.toJson());
    }
  }

  @Test
  void malformedJsonNamesFileAndLine() {
    String message = failure("{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 64,,\n}");
    assertTrue(message.startsWith("config.json: malformed JSON at line 3"), message);
    assertTrue(failure("[1, 2]").contains("config.json: expected a JSON object"));
    assertTrue(
        failure("{} trailing").startsWith("config.json: malformed JSON"), failure("{} trailing"));
  }

  @Test
  void missingRequiredFieldIsNamed() throws Exception {
    for (String field :
        List.of(
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "vocab_size")) {
      ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(MINIMAL.formatted(""));
      tree.remove(field);
      String json = tree.toString();
      assertEquals("config.json: missing field " + field, failure(json), json);
    }
    assertEquals("config.json: missing field model_type", failure("{\"hidden_size\": 64}"));
  }

  @Test
  void wrongTypeIsNamed() {
    String message =
        failure(MINIMAL.formatted("").replace("\"hidden_size\": 64", "\"hidden_size\": \"64\""));
    assertTrue(message.contains("hidden_size must be an integer"), message);
    assertTrue(
        failureWith(", \"rms_norm_eps\": \"small\"").contains("rms_norm_eps must be a number"));
    assertTrue(
        failureWith(", \"tie_word_embeddings\": 1")
            .contains("tie_word_embeddings must be true or false"));
    assertTrue(failureWith(", \"rope_scaling\": 8").contains("rope_scaling must be an object"));
  }

  @Test
  void unsupportedModelsAreRejectedByField() {
    assertEquals(
        "config.json: unsupported model_type 'gpt2' (supported: llama, mistral)",
        failure(MINIMAL.formatted("").replace("\"llama\"", "\"gpt2\"")));
    assertTrue(failureWith(", \"hidden_act\": \"gelu\"").contains("hidden_act 'gelu'"));
    assertTrue(failureWith(", \"attention_bias\": true").contains("attention_bias"));
    assertTrue(failureWith(", \"mlp_bias\": true").contains("mlp_bias"));
    assertTrue(failureWith(", \"num_key_value_heads\": 3").contains("num_key_value_heads 3"));
    assertTrue(failureWith(", \"head_dim\": 15").contains("head_dim must be even"));
    assertTrue(failureWith(", \"vocab_size\": 0").contains("vocab_size must be positive"));
    String unevenHeads =
        failure(
            MINIMAL
                .formatted("")
                .replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 3"));
    assertTrue(unevenHeads.contains("num_attention_heads 3"), unevenHeads);
  }

  @Test
  void mistralNeedsNoSlidingWindowWithinContext() throws Exception {
    String mistral =
        MINIMAL
            .formatted(", \"max_position_embeddings\": 32768%s")
            .replace("\"llama\"", "\"mistral\"");
    assertEquals(
        "mistral",
        LlamaConfig.parse(mistral.formatted(", \"sliding_window\": null"), "config.json")
            .modelType());
    assertEquals(
        32768,
        LlamaConfig.parse(mistral.formatted(", \"sliding_window\": 32768"), "config.json")
            .maxPositions());
    String small = failure(mistral.formatted(", \"sliding_window\": 4096"));
    assertTrue(small.startsWith("config.json: sliding_window 4096"), small);
    String absent = failure(mistral.formatted(""));
    assertTrue(absent.contains("sliding_window 4096 (the default when absent)"), absent);
  }

  @Test
  void ropeScalingVariants() throws Exception {
    assertNull(parse(", \"rope_scaling\": null").ropeScaling());
    assertNull(parse(", \"rope_scaling\": {\"rope_type\": \"default\"}").ropeScaling());
    assertEquals(
        RopeScaling.linear(4),
        parse(", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 4.0}").ropeScaling());
    assertEquals(
        RopeScaling.llama3(8, 1, 4, 8192),
        parse(
                ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                    + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}")
            .ropeScaling());
    String yarn = failureWith(", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}");
    assertTrue(yarn.contains("rope_scaling.rope_type 'yarn'"), yarn);
    String partial =
        failureWith(", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}");
    assertEquals("config.json: missing field rope_scaling.low_freq_factor", partial);
    assertTrue(
        failureWith(", \"rope_scaling\": {\"factor\": 8.0}").contains("rope_scaling.rope_type"));
  }

  @Test
  void linearScalingDividesEveryFrequency() throws Exception {
    LlamaConfig plain = parse("");
    LlamaConfig linear = parse(", \"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 4.0}");
    double[] base = plain.inverseFrequencies();
    double[] scaled = linear.inverseFrequencies();
    assertEquals(8, base.length);
    for (int i = 0; i < base.length; i++) {
      assertEquals(Math.pow(10000, -2.0 * i / 16), base[i], 1e-15);
      assertEquals(base[i] / 4, scaled[i], 1e-15);
    }
  }

  @Test
  void llama3ScalingMatchesTransformers() throws Exception {
    LlamaConfig c =
        new LlamaConfig(
            "llama",
            4096,
            14336,
            32,
            32,
            8,
            128,
            128256,
            131072,
            1e-5,
            500000,
            RopeScaling.llama3(8, 1, 4, 8192),
            false,
            128000,
            List.of(128001));
    double[] inv = c.inverseFrequencies();
    assertArrayEquals(inv, c.inverseFrequencies(128, 500000));
    assertEquals(64, inv.length);
    // i = 0: wavelength 2π, far below 8192/4 — kept.
    assertEquals(1.0, inv[0]);
    // i = 63: wavelength 2π·500000^(63/64) ≈ 2.5e6, far above 8192/1 — divided by the factor.
    double last = Math.pow(500000, -126.0 / 128);
    assertEquals(last / 8, inv[63], last * 1e-12);
    // i = 31: wavelength 2π·500000^(31/64) ≈ 3.6e3, between 2048 and 8192 — interpolated.
    double f = Math.pow(500000, -62.0 / 128);
    double wavelength = 2 * Math.PI / f;
    assertTrue(
        wavelength > 2048 && wavelength < 8192,
        "test premise: i = 31 is a medium frequency, " + wavelength);
    double smooth = (8192 / wavelength - 1) / (4 - 1);
    double expected = (1 - smooth) * f / 8 + smooth * f;
    assertEquals(expected, inv[31], expected * 1e-12);
    assertTrue(inv[31] < f && inv[31] > f / 8);
    // Frequencies stay monotone (decreasing) through both band edges.
    for (int i = 1; i < inv.length; i++) {
      assertTrue(inv[i] < inv[i - 1], "not decreasing at " + i);
    }
  }

  @Test
  void parameterCountMatchesTensorShapes() throws Exception {
    for (LlamaConfig c :
        List.of(
            SyntheticCheckpoint.preset("tiny"),
            SyntheticCheckpoint.preset("100m"),
            LlamaConfig.read(TestFiles.tinyStories().resolve("config.json")))) {
      long sum = 0;
      for (long[] shape : HfTensorNames.expectedShapes(c).values()) {
        long n = 1;
        for (long d : shape) {
          n *= d;
        }
        sum += n;
      }
      assertEquals(sum, c.parameterCount(), c.toString());
    }
  }
}
