package io.flexserve.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.convert.llm.DecoderWeightFile;
import io.flexserve.convert.llm.GreedyDecoder;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import io.flexserve.models.weights.MappedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching on the real tinystories-260k checkpoint: rows of different lengths decoding
 * together, joining mid-way, leaving early, or starting from a cached prefix produce the tokens
 * (exactly) and logits (within 1e-4) they produce alone.
 */
class DecodeBatchTest {
  static final double TOLERANCE = 1e-4;

  @TempDir static Path dir;
  static DecoderSession session;
  static long[] promptA; // "Once upon a time", 5 tokens
  static long[] promptB; // "Lily and Tom went to the park. They saw a big", 17 tokens
  static List<Integer> goldenA;
  static List<Integer> goldenB;
  static int vocab;

  @BeforeAll
  static void open() throws Exception {
    JsonNode golden =
        new ObjectMapper().readTree(SharedData.tinyStories().resolve("golden.json").toFile());
    promptA = longs(golden.get("cases").get(0).get("prompt_ids"));
    goldenA = ints(golden.get("cases").get(0).get("greedy_32"));
    promptB = longs(golden.get("cases").get(1).get("prompt_ids"));
    goldenB = ints(golden.get("cases").get(1).get("greedy_32"));
    try (Checkpoint ckpt = Checkpoint.open(SharedData.tinyStories())) {
      WeightLayout layout =
          DecoderWeightFile.write(DecoderWeights.read(ckpt), dir.resolve("weights.bin"));
      Path graph = dir.resolve("full.onnx");
      DecoderSubnet full = DecoderSubnet.full(ckpt.config());
      Files.write(graph, DecoderGraph.build(ckpt.config(), full, layout, false).toByteArray());
      session =
          DecoderSession.open(
              graph,
              MappedWeights.map(dir.resolve("weights.bin")),
              SessionConfig.cpu(1),
              ckpt.config(),
              full);
    }
    vocab = session.config().vocabSize();
  }

  @AfterAll
  static void close() throws Exception {
    session.close();
  }

  /**
   * One sequence decoded greedily on its own: tokens, and the logits each token was chosen from.
   */
  record Alone(List<Integer> tokens, List<float[]> logits) {}

  static Alone alone(long[] prompt, int count) throws Exception {
    long[] positions = new long[prompt.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    List<Integer> tokens = new ArrayList<>();
    List<float[]> logits = new ArrayList<>();
    KvCache cache = session.emptyCache(1);
    try {
      DecoderSession.Step step =
          session.step(
              prompt, positions, AttentionBias.causal(0, prompt.length), prompt.length, cache, 1);
      while (true) {
        cache.close();
        cache = step.cache();
        logits.add(step.logits());
        tokens.add(GreedyDecoder.argMax(step.logits(), 0, vocab));
        if (tokens.size() == count) {
          return new Alone(tokens, logits);
        }
        int p = cache.length();
        step =
            session.step(
                new long[] {tokens.get(tokens.size() - 1)},
                new long[] {p},
                AttentionBias.causal(p, 1),
                1,
                cache,
                1);
      }
    } finally {
      cache.close();
    }
  }

  /** Drives a batch greedily, recording each row's tokens and the logits they came from. */
  static final class Driver {
    final DecodeBatch batch;
    final Map<Long, List<Integer>> tokens = new LinkedHashMap<>();
    final Map<Long, List<float[]>> logits = new LinkedHashMap<>();

    Driver(DecodeBatch batch) {
      this.batch = batch;
    }

    void join(long id, long[] prompt, KvCache prefix) throws Exception {
      record(id, batch.join(id, prompt, prefix));
    }

    void step() throws Exception {
      Map<Long, Long> next = new LinkedHashMap<>();
      for (long id : batch.ids()) {
        List<Integer> t = tokens.get(id);
        next.put(id, (long) t.get(t.size() - 1));
      }
      batch.step(next).forEach(this::record);
    }

    private void record(long id, float[] l) {
      assertEquals(vocab, l.length);
      tokens.computeIfAbsent(id, k -> new ArrayList<>()).add(GreedyDecoder.argMax(l, 0, vocab));
      logits.computeIfAbsent(id, k -> new ArrayList<>()).add(l);
    }
  }

  static void assertMatches(Alone expected, Driver d, long id, int count) {
    assertEquals(expected.tokens().subList(0, count), d.tokens.get(id), "tokens of row " + id);
    for (int i = 0; i < count; i++) {
      float[] want = expected.logits().get(i);
      float[] got = d.logits.get(id).get(i);
      double worst = 0;
      for (int v = 0; v < vocab; v++) {
        worst = Math.max(worst, Math.abs(want[v] - got[v]));
      }
      assertTrue(worst <= TOLERANCE, "row " + id + " token " + i + ": logits differ by " + worst);
    }
  }

  @Test
  void twoPromptsOfDifferentLengthsDecodeTogetherAsAlone() throws Exception {
    Alone a = alone(promptA, 32);
    Alone b = alone(promptB, 32);
    assertEquals(goldenA, a.tokens());
    assertEquals(goldenB, b.tokens());
    try (DecodeBatch batch = new DecodeBatch(session)) {
      Driver d = new Driver(batch);
      d.join(1, promptA, null);
      d.join(2, promptB, null);
      assertEquals(List.of(1L, 2L), batch.ids());
      for (int i = 1; i < 32; i++) {
        d.step();
      }
      assertEquals(goldenA, d.tokens.get(1L));
      assertEquals(goldenB, d.tokens.get(2L));
      assertMatches(a, d, 1, 32);
      assertMatches(b, d, 2, 32);
      assertEquals(promptA.length + 31, batch.length(1));
      assertEquals(promptB.length + 31, batch.length(2));
      assertEquals(promptB.length + 31, batch.batchColumns());
    }
  }

  @Test
  void joiningMidwayAndLeavingEarlyLeaveOtherRowsUnchanged() throws Exception {
    long[] promptC = Arrays.copyOf(promptB, 8); // "Lily and Tom went to the park" without the rest
    Alone a = alone(promptA, 32);
    Alone b = alone(promptB, 32);
    Alone c = alone(promptC, 32);
    try (DecodeBatch batch = new DecodeBatch(session)) {
      Driver d = new Driver(batch);
      d.join(1, promptA, null);
      d.join(2, promptB, null);
      for (int i = 0; i < 10; i++) {
        d.step();
      }
      d.join(3, promptC, null);
      for (int i = 0; i < 5; i++) {
        d.step();
      }
      assertTrue(batch.leave(2));
      assertFalse(batch.leave(2));
      assertEquals(2, batch.size());
      for (int i = 0; i < 16; i++) {
        d.step();
      }
      // B was the longest row: once it left, its leading columns were trimmed.
      assertEquals(promptA.length + 31, batch.length(1));
      assertEquals(batch.length(1), batch.batchColumns());
      batch.leave(1);
      assertMatches(a, d, 1, 32);
      assertEquals(goldenA, d.tokens.get(1L));
      assertMatches(b, d, 2, 16);
      assertEquals(22, d.tokens.get(3L).size());
      for (int i = 0; i < 10; i++) {
        d.step(); // C alone now
      }
      assertMatches(c, d, 3, 32);
      assertEquals(batch.length(3), batch.batchColumns());
    }
  }

  @Test
  void aRowAdoptedFromAnotherBatchContinuesExactly() throws Exception {
    List<Integer> tokens = new ArrayList<>();
    try (DecodeBatch first = new DecodeBatch(session);
        DecodeBatch second = new DecodeBatch(session)) {
      float[] logits = first.join(1, promptB);
      first.join(2, promptA);
      second.join(3, promptA);
      for (int i = 0; i < 6; i++) {
        tokens.add(argmax(logits));
        logits = first.step(Map.of(1L, (long) tokens.get(tokens.size() - 1), 2L, 3L)).get(1L);
      }
      tokens.add(argmax(logits)); // sampled, not yet fed
      KvCache moved = first.snapshot(1, first.length(1));
      first.leave(1);
      second.adopt(1, moved); // owned by the batch from here on
      assertEquals(promptB.length + 6, second.length(1));
      for (int i = 0; i < 10; i++) {
        Map<Long, float[]> out =
            second.step(Map.of(1L, (long) tokens.get(tokens.size() - 1), 3L, 3L));
        tokens.add(argmax(out.get(1L)));
      }
      assertEquals(goldenB.subList(0, 17), tokens);
      try (KvCache again = second.snapshot(3, 2)) {
        assertThrows(
            IllegalArgumentException.class, () -> second.adopt(3, again), "row 3 is already there");
      }
    }
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void joiningFromACachedPrefixMatchesAFullPrefill() throws Exception {
    Alone b = alone(promptB, 32);
    KvCache promptPrefix;
    KvCache generatedPrefix;
    try (DecodeBatch batch = new DecodeBatch(session)) {
      Driver d = new Driver(batch);
      d.join(1, promptA, null);
      d.join(2, promptB, null);
      promptPrefix = batch.snapshot(2, 10); // from row 2's own prefill cache
      d.step();
      batch.leave(2);
      // Row 4 starts from the first 10 prompt tokens and runs the other 7.
      d.join(4, promptB, promptPrefix);
      for (int i = 0; i < 10; i++) {
        d.step();
      }
      assertEquals(promptB.length + 10, batch.length(4));
      // Row 5 continues row 4 from a snapshot of everything row 4 has cached (taken out of the
      // batch cache).
      generatedPrefix = batch.snapshot(4, batch.length(4));
      long[] promptE = new long[promptB.length + 11];
      System.arraycopy(promptB, 0, promptE, 0, promptB.length);
      for (int i = 0; i < 11; i++) {
        promptE[promptB.length + i] = d.tokens.get(4L).get(i);
      }
      d.join(5, promptE, generatedPrefix);
      for (int i = 0; i < 3; i++) {
        d.step();
      }
      Alone expected = new Alone(b.tokens().subList(11, 15), b.logits().subList(11, 15));
      assertMatches(expected, d, 5, 4);
      assertMatches(b, d, 4, 14);
    }
    // The caller's prefixes outlive the batch and stay usable.
    for (OnnxTensor t : promptPrefix.tensors().values()) {
      assertFalse(t.isClosed());
    }
    try (DecodeBatch batch = new DecodeBatch(session)) {
      Driver d = new Driver(batch);
      d.join(6, promptB, promptPrefix);
      d.join(7, promptA, null);
      d.join(8, promptB, promptPrefix); // the same prefix twice
      for (int i = 1; i < 32; i++) {
        d.step();
      }
      assertMatches(b, d, 6, 32);
      assertMatches(b, d, 8, 32);
      assertEquals(goldenB, d.tokens.get(6L));
    }
    try (DecodeBatch batch = new DecodeBatch(session)) {
      Driver d = new Driver(batch);
      long[] promptE = new long[promptB.length + 11];
      System.arraycopy(promptB, 0, promptE, 0, promptB.length);
      for (int i = 0; i < 11; i++) {
        promptE[promptB.length + i] = goldenB.get(i);
      }
      d.join(9, promptE, generatedPrefix);
      for (int i = 1; i < 21; i++) {
        d.step();
      }
      assertEquals(goldenB.subList(11, 32), d.tokens.get(9L));
      Alone expected = new Alone(b.tokens().subList(11, 32), b.logits().subList(11, 32));
      assertMatches(expected, d, 9, 21);
    }
    promptPrefix.close();
    generatedPrefix.close();
    for (OnnxTensor t : promptPrefix.tensors().values()) {
      assertTrue(t.isClosed());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> {
          try (DecodeBatch batch = new DecodeBatch(session);
              KvCache two = session.emptyCache(2)) {
            batch.join(1, promptA, two);
          }
        });
  }

  @Test
  void everyCacheIsClosedExactlyWhenReplaced() throws Exception {
    DecodeBatch batch = new DecodeBatch(session);
    Driver d = new Driver(batch);
    d.join(1, promptA, null);
    d.step();
    KvCache first = batch.batchCache(); // adopted from row 1's prefill
    d.step();
    assertTrue(first.tensors().values().stream().allMatch(OnnxTensor::isClosed));
    KvCache second = batch.batchCache();
    d.join(2, promptB, null);
    assertFalse(second.tensors().values().stream().anyMatch(OnnxTensor::isClosed));
    d.step(); // rebuild: row 2 merged
    assertTrue(second.tensors().values().stream().allMatch(OnnxTensor::isClosed));
    KvCache rebuilt = batch.batchCache();
    assertEquals(2, rebuilt.batch());
    d.step();
    assertTrue(rebuilt.tensors().values().stream().allMatch(OnnxTensor::isClosed));
    assertThrows(IllegalArgumentException.class, () -> batch.step(Map.of(1L, 5L)));
    assertThrows(IllegalArgumentException.class, () -> batch.join(1, promptA));
    KvCache last = batch.batchCache();
    batch.leave(1);
    batch.leave(2);
    assertTrue(last.tensors().values().stream().allMatch(OnnxTensor::isClosed));
    assertEquals(Map.of(), batch.step(Map.of()));
    d.join(3, promptA, null);
    batch.close();
    batch.close();
    assertThrows(IllegalStateException.class, () -> batch.join(4, promptA));
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  private static List<Integer> ints(JsonNode array) {
    return Arrays.stream(longs(array)).mapToObj(v -> (int) v).toList();
  }
}
