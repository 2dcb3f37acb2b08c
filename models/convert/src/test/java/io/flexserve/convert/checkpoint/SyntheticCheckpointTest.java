package io.flexserve.convert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.HfTensorNames;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCheckpointTest {
  @TempDir Path tmp;

  @Test
  void presetsHaveTheAdvertisedSize() {
    LlamaConfig m = SyntheticCheckpoint.preset("100m");
    assertTrue(
        m.parameterCount() >= 90_000_000 && m.parameterCount() <= 110_000_000,
        "100m has " + m.parameterCount());
    assertTrue(m.kvHeads() < m.heads(), "100m uses grouped-query attention");
    assertFalse(m.tiedEmbeddings());
    LlamaConfig tiny = SyntheticCheckpoint.preset("tiny");
    assertEquals(64, tiny.hidden());
    assertEquals(300, tiny.vocabSize());
    assertThrows(IllegalArgumentException.class, () -> SyntheticCheckpoint.preset("7b"));
  }

  @Test
  void tokenizerLoadsInDjlAndStaysInsideTheVocabulary() throws Exception {
    for (int vocab : new int[] {300, 32000}) {
      Path file = tmp.resolve("tokenizer-" + vocab + ".json");
      Files.writeString(file, SyntheticTokenizer.json(vocab));
      try (HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file)) {
        for (String text : List.of("hello", "Hello, world! 42", "Ünïcödé 🚀 東京")) {
          long[] ids = t.encode(text).getIds();
          assertEquals(1, ids[0], "starts with <s>");
          for (long id : ids) {
            assertTrue(
                id >= 0 && id < vocab, text + " → id " + id + " outside vocabulary " + vocab);
          }
          assertEquals(text, t.decode(ids, true), "decodes back");
        }
        long[] hello = t.encode("hello").getIds();
        for (int i = 1; i < hello.length; i++) {
          assertTrue(
              hello[i] >= 259, "no byte fallback for ASCII letters: " + Arrays.toString(hello));
        }
        if (vocab == 32000) {
          assertTrue(hello.length < 7, "merges shorten words: " + Arrays.toString(hello));
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> SyntheticTokenizer.json(258));
  }

  @Test
  void writtenTokenizerMatchesTheCheckpointsVocabulary() throws Exception {
    Path dir = tmp.resolve("tiny");
    SyntheticCheckpoint.write(dir, SyntheticCheckpoint.preset("tiny"), 1, 1, "F16");
    try (Checkpoint c = Checkpoint.open(dir);
        HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(c.tokenizerJson())) {
      c.validate();
      for (long id : t.encode("hello").getIds()) {
        assertTrue(id < c.config().vocabSize());
      }
    }
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(dir), files.toList(), "no staging directory left behind");
    }
  }

  @Test
  void weightsAreSeededAndScaledByFanIn() throws Exception {
    LlamaConfig config = SyntheticCheckpoint.preset("tiny");
    SyntheticCheckpoint.write(tmp.resolve("a"), config, 11, 1, "F32");
    SyntheticCheckpoint.write(tmp.resolve("b"), config, 11, 1, "F32");
    SyntheticCheckpoint.write(tmp.resolve("c"), config, 12, 1, "F32");
    try (Checkpoint a = Checkpoint.open(tmp.resolve("a"));
        Checkpoint b = Checkpoint.open(tmp.resolve("b"));
        Checkpoint c = Checkpoint.open(tmp.resolve("c"))) {
      String down = HfTensorNames.downProj(0);
      assertArrayEquals(a.tensor(down), b.tensor(down));
      assertFalse(Arrays.equals(a.tensor(down), c.tensor(down)));
      assertFalse(Arrays.equals(a.tensor(down), a.tensor(HfTensorNames.downProj(1))));
      assertStd(a.tensor(down), 1 / Math.sqrt(config.intermediate()));
      assertStd(a.tensor(HfTensorNames.qProj(1)), 1 / Math.sqrt(config.hidden()));
      assertStd(a.tensor(HfTensorNames.oProj(1)), 1 / Math.sqrt(config.heads() * config.headDim()));
      for (float v : a.tensor(HfTensorNames.inputNorm(1))) {
        assertEquals(1f, v);
      }
    }
  }

  private static void assertStd(float[] values, double expected) {
    double sum = 0;
    double squares = 0;
    for (float v : values) {
      sum += v;
      squares += v * (double) v;
    }
    double mean = sum / values.length;
    double std = Math.sqrt(squares / values.length - mean * mean);
    assertEquals(0, mean, 4 * expected / Math.sqrt(values.length));
    assertEquals(expected, std, expected * 0.05);
  }

  /**
   * One token through 24 layers in plain Java: with one position, attention returns its own value
   * vector.
   */
  @Test
  void activationsStayFiniteThroughManyLayers() throws Exception {
    LlamaConfig config =
        new LlamaConfig(
            "llama", 64, 128, 24, 4, 2, 16, 300, 256, 1e-5, 10000, null, false, 1, List.of(2));
    Path dir = tmp.resolve("deep");
    SyntheticCheckpoint.write(dir, config, 5, 1, "BF16");
    int h = config.hidden();
    int kv = config.kvHeads() * config.headDim();
    try (Checkpoint c = Checkpoint.open(dir)) {
      float[] embed = c.tensor(HfTensorNames.EMBED_TOKENS);
      double[] x = new double[h];
      for (int j = 0; j < h; j++) {
        x[j] = embed[100 * h + j];
      }
      for (int l = 0; l < config.layers(); l++) {
        double[] n = rmsNorm(x, c.tensor(HfTensorNames.inputNorm(l)));
        double[] v = matVec(c.tensor(HfTensorNames.vProj(l)), n, kv, h);
        double[] heads = new double[config.heads() * config.headDim()];
        for (int q = 0; q < config.heads(); q++) {
          System.arraycopy(
              v,
              q / config.groupSize() * config.headDim(),
              heads,
              q * config.headDim(),
              config.headDim());
        }
        add(x, matVec(c.tensor(HfTensorNames.oProj(l)), heads, h, heads.length));
        double[] m = rmsNorm(x, c.tensor(HfTensorNames.postAttentionNorm(l)));
        double[] gate = matVec(c.tensor(HfTensorNames.gateProj(l)), m, config.intermediate(), h);
        double[] up = matVec(c.tensor(HfTensorNames.upProj(l)), m, config.intermediate(), h);
        for (int i = 0; i < gate.length; i++) {
          gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        add(x, matVec(c.tensor(HfTensorNames.downProj(l)), gate, h, config.intermediate()));
      }
      double rms = Math.sqrt(Arrays.stream(x).map(a -> a * a).average().orElseThrow());
      assertTrue(rms > 0.5 && rms < 50, "residual RMS after 24 layers " + rms);
      double[] logits =
          matVec(
              c.tensor(HfTensorNames.LM_HEAD),
              rmsNorm(x, c.tensor(HfTensorNames.FINAL_NORM)),
              config.vocabSize(),
              h);
      double std = Math.sqrt(Arrays.stream(logits).map(a -> a * a).average().orElseThrow());
      assertTrue(std > 0.5 && std < 2, "logit scale " + std);
    }
  }

  private static double[] rmsNorm(double[] x, float[] w) {
    double ms = Arrays.stream(x).map(a -> a * a).average().orElseThrow();
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / Math.sqrt(ms + 1e-5) * w[i];
    }
    return out;
  }

  /** {@code W [rows, cols] · x [cols]}. */
  private static double[] matVec(float[] w, double[] x, int rows, int cols) {
    assertEquals((long) rows * cols, w.length);
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int k = 0; k < cols; k++) {
        s += w[r * cols + k] * x[k];
      }
      out[r] = s;
    }
    return out;
  }

  private static void add(double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
  }

  @Test
  void refusesToOverwriteAndRejectsBadArguments() throws Exception {
    LlamaConfig tiny = SyntheticCheckpoint.preset("tiny");
    Path dir = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(dir.resolve("keep.txt"), "mine");
    assertThrows(IOException.class, () -> SyntheticCheckpoint.write(dir, tiny, 1, 1, "F32"));
    assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    SyntheticCheckpoint.write(empty, tiny, 1, 1, "F32");
    assertTrue(Files.isRegularFile(empty.resolve("model.safetensors")));
    assertThrows(
        IllegalArgumentException.class,
        () -> SyntheticCheckpoint.write(tmp.resolve("x"), tiny, 1, 0, "F32"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SyntheticCheckpoint.write(tmp.resolve("x"), tiny, 1, 1000, "F32"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SyntheticCheckpoint.write(tmp.resolve("x"), tiny, 1, 1, "I8"));
  }
}
