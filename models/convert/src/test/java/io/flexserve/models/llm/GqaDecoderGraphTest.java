package io.flexserve.models.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import io.flexserve.convert.llm.DecoderWeightFile;
import io.flexserve.convert.llm.GreedyDecoder;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import io.flexserve.models.weights.MappedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder with ONNX Runtime's {@code com.microsoft.GroupQueryAttention} reproduces the real
 * tinystories-260k golden continuations (head size 8: RoPE in the graph), and matches the
 * MatMul/Softmax {@link DecoderGraph} on a synthetic model whose head size (16) lets the op apply
 * RoPE itself, for the full and a pruned sub-network, with a growing cache and with past/present
 * sharing one buffer, including a ragged batch driven by {@code seqlens_k}.
 */
class GqaDecoderGraphTest {
  @TempDir Path dir;

  @Test
  void tinyStoriesGreedyMatchesGolden() throws Exception {
    JsonNode golden =
        new ObjectMapper().readTree(SharedData.tinyStories().resolve("golden.json").toFile());
    LlamaConfig config;
    WeightLayout layout;
    try (Checkpoint ckpt = Checkpoint.open(SharedData.tinyStories())) {
      config = ckpt.config();
      layout = DecoderWeightFile.write(DecoderWeights.read(ckpt), dir.resolve("weights.bin"));
    }
    DecoderSubnet full = DecoderSubnet.full(config);
    assertFalse(
        GqaDecoderGraph.canFuseRotary(config), "head size 8: the CPU kernel rejects do_rotary");
    assertThrows(
        IllegalArgumentException.class, () -> GqaDecoderGraph.build(config, full, layout, true));
    Path graph = dir.resolve("gqa.onnx");
    Files.write(graph, GqaDecoderGraph.build(config, full, layout).toByteArray());
    MappedWeights weights = MappedWeights.map(dir.resolve("weights.bin"));
    try (GqaDecoderSession session =
        GqaDecoderSession.open(graph, weights, SessionConfig.cpu(1), config, full)) {
      for (JsonNode c : golden.get("cases")) {
        long[] prompt = longs(c.get("prompt_ids"));
        List<Integer> expected =
            Arrays.stream(longs(c.get("greedy_32"))).boxed().map(Long::intValue).toList();
        Greedy grown = greedy(session, prompt, 32, false);
        assertEquals(expected, grown.tokens(), "greedy continuation of " + c.get("prompt"));
        for (JsonNode top : c.get("last_logits_top5")) {
          int id = top.get(0).asInt();
          assertEquals(top.get(1).asDouble(), grown.promptLast()[id], 1e-3, "logit of token " + id);
        }
        assertEquals(
            expected,
            greedy(session, prompt, 32, true).tokens(),
            "in-place cache, " + c.get("prompt"));
      }
    }
  }

  @Test
  void fusedRotaryMatchesMatMulGraphOnSyntheticModel() throws Exception {
    Path ckptDir = dir.resolve("tiny");
    SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset("tiny"), 7, 1, "F32");
    LlamaConfig config;
    WeightLayout layout;
    try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
      config = ckpt.config();
      layout = DecoderWeightFile.write(DecoderWeights.read(ckpt), dir.resolve("weights.bin"));
    }
    assertTrue(GqaDecoderGraph.canFuseRotary(config));
    long[] prompt = {1, 17, 42, 99, 5, 250, 3, 77, 120, 8, 64};
    MappedWeights weights = MappedWeights.map(dir.resolve("weights.bin"));
    for (DecoderSubnet subnet :
        List.of(
            DecoderSubnet.full(config),
            DecoderSubnet.uniform("half", config, 0.5, 0.5, List.of()))) {
      Path ref = dir.resolve("ref-" + subnet.name() + ".onnx");
      Files.write(ref, DecoderGraph.build(config, subnet, layout, false).toByteArray());
      GreedyDecoder.Output expected;
      try (DecoderSession session =
          DecoderSession.open(ref, weights, SessionConfig.cpu(1), config, subnet)) {
        expected = GreedyDecoder.generate(session, prompt, 24, Set.of());
      }
      for (boolean fused : new boolean[] {true, false}) {
        Path graph = dir.resolve("gqa-" + subnet.name() + "-" + fused + ".onnx");
        Files.write(graph, GqaDecoderGraph.build(config, subnet, layout, fused).toByteArray());
        try (GqaDecoderSession session =
            GqaDecoderSession.open(graph, weights, SessionConfig.cpu(1), config, subnet)) {
          for (boolean inPlace : new boolean[] {false, true}) {
            String what =
                subnet.name()
                    + (fused ? " fused rotary" : " graph rotary")
                    + (inPlace ? " in place" : " grown");
            Greedy got = greedy(session, prompt, 24, inPlace);
            assertEquals(expected.tokens(), got.tokens(), what);
            assertArrayEquals(expected.promptLastLogits(), got.promptLast(), 1e-4f, what);
          }
          raggedBatchMatchesSingleRows(session, config);
        }
      }
    }
  }

  /**
   * Two rows of different lengths in one batch, right-padded, in shared buffers: a ragged prefill
   * and then decode steps where each row's {@code seqlens_k} says where its new key goes. Each row
   * must decode the tokens it decodes alone.
   */
  private static void raggedBatchMatchesSingleRows(GqaDecoderSession session, LlamaConfig config)
      throws Exception {
    int v = config.vocabSize();
    long[][] rows = {{1, 5, 9, 13, 200, 31, 47}, {1, 88, 140}};
    int s = rows[0].length;
    long[] ids = new long[2 * s];
    System.arraycopy(rows[0], 0, ids, 0, s);
    System.arraycopy(rows[1], 0, ids, s, rows[1].length); // row 1 right-padded with 0
    int steps = 5;
    try (GqaDecoderSession.Buffers batch = session.buffers(2, s + steps)) {
      // ragged prefill: seqlens_k = [7-1, 3-1], total = 7; every position's logits, pick each row's
      // last
      float[] all = session.stepInPlace(ids, new int[] {0, 0}, s, batch, s);
      // the op wrote K/V for row 1's padding positions 3..6 too; they are overwritten by the decode
      // steps below
      int[] lengths = {rows[0].length, rows[1].length};
      long[] next = {argMax(all, (s - 1) * v, v), argMax(all, (s + rows[1].length - 1) * v, v)};
      List<List<Long>> batched =
          List.of(new ArrayList<>(List.of(next[0])), new ArrayList<>(List.of(next[1])));
      for (int step = 0; step < steps - 1; step++) {
        float[] logits = session.stepInPlace(next, lengths, 1, batch, 1);
        for (int b = 0; b < 2; b++) {
          lengths[b]++;
          next[b] = argMax(logits, b * v, v);
          batched.get(b).add(next[b]);
        }
      }
      for (int b = 0; b < 2; b++) {
        Greedy alone = greedy(session, rows[b], steps, true);
        assertEquals(
            alone.tokens().stream().map(Integer::longValue).toList(),
            batched.get(b),
            "ragged row " + b);
      }
    }
  }

  record Greedy(List<Integer> tokens, float[] promptLast) {}

  /** Greedy decoding through the GQA graph, with a growing cache or in one shared buffer. */
  static Greedy greedy(GqaDecoderSession session, long[] prompt, int maxTokens, boolean inPlace)
      throws Exception {
    int v = session.config().vocabSize();
    List<Integer> out = new ArrayList<>();
    if (inPlace) {
      try (GqaDecoderSession.Buffers buffers = session.buffers(1, prompt.length + maxTokens)) {
        float[] logits = session.stepInPlace(prompt, new int[] {0}, prompt.length, buffers, 1);
        float[] promptLast = logits;
        int length = prompt.length;
        while (true) {
          int next = argMax(logits, 0, v);
          out.add(next);
          if (out.size() == maxTokens) {
            return new Greedy(out, promptLast);
          }
          logits = session.stepInPlace(new long[] {next}, new int[] {length}, 1, buffers, 1);
          length++;
        }
      }
    }
    KvCache cache = session.emptyCache(1);
    try {
      DecoderSession.Step step = session.step(prompt, prompt.length, cache, 1);
      cache.close();
      cache = step.cache();
      float[] promptLast = step.logits();
      float[] logits = promptLast;
      while (true) {
        int next = argMax(logits, 0, v);
        out.add(next);
        if (out.size() == maxTokens) {
          return new Greedy(out, promptLast);
        }
        step = session.step(new long[] {next}, 1, cache, 1);
        cache.close();
        cache = step.cache();
        logits = step.logits();
      }
    } finally {
      cache.close();
    }
  }

  private static int argMax(float[] values, int from, int count) {
    int best = from;
    for (int i = from + 1; i < from + count; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best - from;
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
