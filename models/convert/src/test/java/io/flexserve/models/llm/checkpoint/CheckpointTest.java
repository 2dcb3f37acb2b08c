package io.flexserve.models.llm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path tmp;

  @Test
  void readsTinyStories() throws Exception {
    Path dir = TestFiles.tinyStories();
    try (Checkpoint c = Checkpoint.open(dir)) {
      c.validate();
      assertEquals(64, c.config().hidden());
      assertEquals(dir.resolve("tokenizer.json"), c.tokenizerJson());
      assertEquals(dir, c.directory());
      assertEquals(HfTensorNames.expectedShapes(c.config()).keySet(), c.tensorNames());
      assertFalse(c.has(HfTensorNames.LM_HEAD));
      assertTrue(c.has(HfTensorNames.downProj(4)));
      assertArrayEquals(
          TestFiles.manualF32(dir.resolve("model.safetensors"), HfTensorNames.FINAL_NORM),
          c.tensor(HfTensorNames.FINAL_NORM, 64));
      assertEquals(512 * 64, c.tensor(HfTensorNames.EMBED_TOKENS, 512, 64).length);
      assertEquals(32 * 64, c.tensor(HfTensorNames.kProj(1)).length);
      long stored = 0;
      for (String name : c.tensorNames()) {
        stored += c.info(name).elements();
      }
      assertEquals(c.config().parameterCount(), stored);
    }
  }

  /** Rewrites tinystories' weights with {@code edit} applied, in a fresh copy of the directory. */
  private Path tinyStoriesWith(BiConsumer<LinkedHashMap<String, float[]>, Map<String, long[]>> edit)
      throws Exception {
    Path dir = TestFiles.copy(TestFiles.tinyStories(), tmp.resolve("edited"));
    LinkedHashMap<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
      for (SafetensorsFile.TensorInfo t : f.tensors().values()) {
        tensors.put(t.name(), f.floats(t.name()));
        shapes.put(t.name(), t.shape());
      }
    }
    edit.accept(tensors, shapes);
    SafetensorsFile.write(dir.resolve("model.safetensors"), tensors, shapes, "F32");
    return dir;
  }

  @Test
  void missingTensorIsNamed() throws Exception {
    String name = HfTensorNames.upProj(3);
    Path dir = tinyStoriesWith((tensors, shapes) -> tensors.remove(name));
    try (Checkpoint c = Checkpoint.open(dir)) {
      String message = assertThrows(CheckpointException.class, c::validate).getMessage();
      assertTrue(
          message.startsWith("model.safetensors: missing tensor model.layers.3.mlp.up_proj.weight"),
          message);
      assertEquals(
          message, assertThrows(CheckpointException.class, () -> c.tensor(name)).getMessage());
    }
  }

  @Test
  void wrongShapeIsNamed() throws Exception {
    String name = HfTensorNames.qProj(0);
    Path dir =
        tinyStoriesWith(
            (tensors, shapes) -> {
              tensors.put(name, new float[64 * 32]);
              shapes.put(name, new long[] {64, 32});
            });
    try (Checkpoint c = Checkpoint.open(dir)) {
      String expected =
          "model.safetensors: model.layers.0.self_attn.q_proj.weight has shape [64, 32], expected [64, 64]";
      assertEquals(expected, assertThrows(CheckpointException.class, c::validate).getMessage());
      assertEquals(
          expected,
          assertThrows(CheckpointException.class, () -> c.tensor(name, 64, 64)).getMessage());
      assertEquals(64 * 32, c.tensor(name).length);
    }
  }

  @Test
  void unsupportedDtypeFailsValidation() throws Exception {
    Path dir = TestFiles.copy(TestFiles.tinyStories(), tmp.resolve("ints"));
    Files.delete(dir.resolve("model.safetensors"));
    LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (Map.Entry<String, long[]> e : HfTensorNames.expectedShapes(config).entrySet()) {
      long bytes = 4 * Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
      String dtype = e.getKey().equals(HfTensorNames.FINAL_NORM) ? "I32" : "F32";
      header
          .append(header.length() > 1 ? "," : "")
          .append('"')
          .append(e.getKey())
          .append("\":{\"dtype\":\"")
          .append(dtype)
          .append("\",\"shape\":")
          .append(Arrays.toString(e.getValue()))
          .append(",\"data_offsets\":[")
          .append(offset)
          .append(',')
          .append(offset + bytes)
          .append("]}");
      offset += bytes;
    }
    TestFiles.raw(
        dir.resolve("model.safetensors"), header.append('}').toString(), new byte[(int) offset]);
    try (Checkpoint c = Checkpoint.open(dir)) {
      String message = assertThrows(CheckpointException.class, c::validate).getMessage();
      assertEquals(
          "model.safetensors: tensor model.norm.weight has dtype I32; only F32, F16 and BF16 are supported",
          message);
    }
  }

  @Test
  void badConfigFailsOpenNamingTheField() throws Exception {
    Path dir = TestFiles.copy(TestFiles.tinyStories(), tmp.resolve("gpt2"));
    Path config = dir.resolve("config.json");
    String original = Files.readString(config);
    Files.writeString(config, original.replace("\"llama\"", "\"gpt2\""));
    assertEquals(
        "config.json: unsupported model_type 'gpt2' (supported: llama, mistral)",
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage());
    Files.writeString(config, original.replace("\"hidden_size\": 64,", ""));
    assertEquals(
        "config.json: missing field hidden_size",
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage());
    Files.writeString(config, original.replace("\"hidden_size\": 64,", "\"hidden_size\": 64,,"));
    String malformed =
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage();
    assertTrue(malformed.startsWith("config.json: malformed JSON at line 6"), malformed);
  }

  @Test
  void missingFilesAreNamed() throws Exception {
    assertTrue(
        assertThrows(CheckpointException.class, () -> Checkpoint.open(tmp.resolve("nothing")))
            .getMessage()
            .endsWith("checkpoint directory does not exist"));
    Path dir = TestFiles.copy(TestFiles.tinyStories(), tmp.resolve("partial"));
    Files.delete(dir.resolve("model.safetensors"));
    assertTrue(
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir))
            .getMessage()
            .contains(
                "no weights (neither model.safetensors.index.json nor any *.safetensors file)"));
    Files.delete(dir.resolve("tokenizer.json"));
    assertTrue(
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir))
            .getMessage()
            .startsWith("tokenizer.json: missing"));
    Files.delete(dir.resolve("config.json"));
    assertTrue(
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir))
            .getMessage()
            .startsWith("config.json: missing"));
  }

  @Test
  void shardedSyntheticCheckpointRoundTrips() throws Exception {
    LlamaConfig config = SyntheticCheckpoint.preset("tiny");
    Path single = tmp.resolve("single");
    Path sharded = tmp.resolve("sharded");
    SyntheticCheckpoint.write(single, config, 7, 1, "F32");
    SyntheticCheckpoint.write(sharded, config, 7, 2, "F32");
    assertFalse(Files.exists(single.resolve(Checkpoint.INDEX)));
    assertTrue(Files.isRegularFile(single.resolve("model.safetensors")));
    assertTrue(Files.isRegularFile(sharded.resolve("model-00001-of-00002.safetensors")));
    assertTrue(Files.isRegularFile(sharded.resolve("model-00002-of-00002.safetensors")));
    assertFalse(Files.exists(sharded.resolve("model.safetensors")));

    JsonNode index = new ObjectMapper().readTree(sharded.resolve(Checkpoint.INDEX).toFile());
    assertEquals(4 * config.parameterCount(), index.get("metadata").get("total_size").asLong());
    assertEquals(HfTensorNames.expectedShapes(config).size(), index.get("weight_map").size());
    assertTrue(
        index.get("weight_map").get(HfTensorNames.EMBED_TOKENS).asText().startsWith("model-00001"));
    assertTrue(
        index.get("weight_map").get(HfTensorNames.LM_HEAD).asText().startsWith("model-00002"));

    try (Checkpoint a = Checkpoint.open(single);
        Checkpoint b = Checkpoint.open(sharded)) {
      a.validate();
      b.validate();
      assertEquals(config, b.config());
      assertEquals(a.tensorNames(), b.tensorNames());
      for (Map.Entry<String, long[]> e : HfTensorNames.expectedShapes(config).entrySet()) {
        float[] values = b.tensor(e.getKey(), e.getValue());
        assertArrayEquals(
            a.tensor(e.getKey(), e.getValue()), values, "same seed, same weights, any sharding");
      }
    }
  }

  @Test
  void bf16SyntheticCheckpointHoldsRoundedF32Weights() throws Exception {
    LlamaConfig config = SyntheticCheckpoint.preset("tiny");
    SyntheticCheckpoint.write(tmp.resolve("f32"), config, 3, 1, "F32");
    SyntheticCheckpoint.write(tmp.resolve("bf16"), config, 3, 3, "BF16");
    try (Checkpoint a = Checkpoint.open(tmp.resolve("f32"));
        Checkpoint b = Checkpoint.open(tmp.resolve("bf16"))) {
      b.validate();
      assertEquals("BF16", b.info(HfTensorNames.EMBED_TOKENS).dtype());
      float[] exact = a.tensor(HfTensorNames.gateProj(1));
      float[] rounded = b.tensor(HfTensorNames.gateProj(1));
      for (int i = 0; i < exact.length; i++) {
        assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(exact[i])), rounded[i]);
      }
    }
  }

  @Test
  void indexNamingAMissingShardFails() throws Exception {
    Path dir = tmp.resolve("sharded");
    SyntheticCheckpoint.write(dir, SyntheticCheckpoint.preset("tiny"), 1, 2, "F16");
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    String message =
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage();
    assertTrue(
        message.startsWith(
            "model.safetensors.index.json: shard model-00002-of-00002.safetensors (holding tensor "),
        message);
  }

  @Test
  void indexListingATensorItsShardLacksFails() throws Exception {
    Path dir = tmp.resolve("sharded");
    SyntheticCheckpoint.write(dir, SyntheticCheckpoint.preset("tiny"), 1, 2, "F32");
    Path index = dir.resolve(Checkpoint.INDEX);
    Files.writeString(
        index, Files.readString(index).replace("\"lm_head.weight\"", "\"lm_head.bias\""));
    String message =
        assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage();
    assertEquals(
        "model-00002-of-00002.safetensors: missing tensor lm_head.bias (listed there by "
            + "model.safetensors.index.json)",
        message);
  }
}
