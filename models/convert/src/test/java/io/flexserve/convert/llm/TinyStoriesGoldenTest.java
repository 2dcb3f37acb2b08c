package io.flexserve.convert.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.llm.DecoderGraph;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import io.flexserve.models.text.DecoderTokenizer;
import io.flexserve.models.weights.MappedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dense graph of the real tinystories-260k checkpoint reproduces the independent float64
 * reference in {@code golden.json}: greedy tokens exactly, last-prompt-position logits within 1e-3,
 * perplexity within 1%.
 */
class TinyStoriesGoldenTest {
  @TempDir static Path dir;
  static JsonNode golden;
  static DecoderTokenizer tokenizer;
  static DecoderSession session;

  @BeforeAll
  static void open() throws Exception {
    golden = new ObjectMapper().readTree(SharedData.tinyStories().resolve("golden.json").toFile());
    try (Checkpoint ckpt = Checkpoint.open(SharedData.tinyStories())) {
      DecoderWeights weights = DecoderWeights.read(ckpt);
      WeightLayout layout = DecoderWeightFile.write(weights, dir.resolve("weights.bin"));
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
      tokenizer = DecoderTokenizer.load(ckpt.tokenizerJson());
    }
  }

  @AfterAll
  static void close() throws Exception {
    session.close();
    tokenizer.close();
  }

  @Test
  void greedyContinuationsAndLogitsMatchGolden() throws Exception {
    for (JsonNode c : golden.get("cases")) {
      long[] prompt = tokenizer.encode(c.get("prompt").asText());
      assertArrayEquals(longs(c.get("prompt_ids")), prompt, "tokenizer ids for " + c.get("prompt"));
      GreedyDecoder.Output out = GreedyDecoder.generate(session, prompt, 32, Set.of());
      assertEquals(
          Arrays.stream(longs(c.get("greedy_32"))).boxed().map(Long::intValue).toList(),
          out.tokens(),
          "greedy continuation of " + c.get("prompt"));
      for (JsonNode top : c.get("last_logits_top5")) {
        int id = top.get(0).asInt();
        assertEquals(
            top.get(1).asDouble(), out.promptLastLogits()[id], 1e-3, "logit of token " + id);
      }
      assertEquals(c.get("text").asText(), tokenizer.continuation(prompt, out.tokens()));
    }
  }

  @Test
  void perplexityMatchesGolden() throws Exception {
    JsonNode p = golden.get("perplexity");
    long[] all = tokenizer.encode(Files.readString(SharedData.tinyStoriesText()));
    long[] ids = Arrays.copyOf(all, p.get("tokens").asInt());
    double ppl = Perplexity.nll(session, ids, ids.length).perplexity();
    assertEquals(p.get("ppl").asDouble(), ppl, 0.01 * p.get("ppl").asDouble());
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
