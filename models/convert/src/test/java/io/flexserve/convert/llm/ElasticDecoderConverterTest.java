package io.flexserve.convert.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Converts the real tinystories-260k checkpoint once and checks the bundle a server would load. */
class ElasticDecoderConverterTest {
  @TempDir static Path dir;
  static DecoderManifest manifest;
  static ElasticDecoder decoder;

  @BeforeAll
  static void convert() throws Exception {
    // Latencies by weight bytes: on a model this small a measured decode step is mostly fixed
    // overhead (in one CI run the smallest candidate timed at 80 % of full), so with MEASURED
    // whether a tight budget fits at all is timing noise. BENCHMARKS.md shows measured menus
    // down to 40 % on a 100M model.
    ElasticDecoderConverter.Options options =
        new ElasticDecoderConverter.Options(
                "tinystories",
                List.of(1.0, 0.85, 0.7, 0.5),
                64,
                24,
                4,
                3,
                Integer.MAX_VALUE,
                32,
                9,
                64,
                SessionConfig.cpu(1))
            .withLatencyModel(LatencyModel.WEIGHTS);
    List<String> steps = new ArrayList<>();
    manifest =
        ElasticDecoderConverter.convert(
            SharedData.tinyStories(),
            SharedData.tinyStoriesText(),
            dir.resolve("bundle"),
            options,
            (step, done, total) -> steps.add(step));
    assertTrue(
        steps.containsAll(List.of("rank", "time", "choose", "measure")),
        "progress reported for " + steps);
    decoder = ElasticDecoder.load(dir.resolve("bundle"), SessionConfig.cpu(1), name -> true);
  }

  @AfterAll
  static void close() throws Exception {
    decoder.close();
  }

  @Test
  void permutedFullSubnetStillMatchesGolden() throws Exception {
    JsonNode golden =
        new ObjectMapper().readTree(SharedData.tinyStories().resolve("golden.json").toFile());
    for (JsonNode c : golden.get("cases")) {
      long[] prompt = decoder.tokenizer().encode(c.get("prompt").asText());
      List<Integer> expected = new ArrayList<>();
      c.get("greedy_32").forEach(t -> expected.add(t.asInt()));
      assertEquals(
          expected, GreedyDecoder.generate(decoder.session("full"), prompt, 32, Set.of()).tokens());
    }
  }

  @Test
  void menuCoversTheBudgetsWithNestedSubnets() {
    List<DecoderManifest.Subnet> menu = manifest.subnets();
    assertEquals("full", menu.get(0).name());
    assertTrue(menu.size() >= 3, "distinct sub-networks on the menu: " + menu.size());
    double full = menu.get(0).estimatedDecodeMs();
    DecoderManifest.Subnet smallest = menu.get(menu.size() - 1);
    assertTrue(
        smallest.budget() <= 0.5 && smallest.estimatedDecodeMs() <= 0.5 * full + 1e-9,
        "smallest entry's estimate " + smallest.estimatedDecodeMs() + " vs full " + full);
    for (DecoderManifest.Subnet s : menu) {
      assertTrue(
          s.estimatedDecodeMs() <= s.budget() * full + 1e-9, s.name() + " exceeds its budget");
      assertTrue(
          Double.isFinite(s.perplexity()) && s.perplexity() > 1,
          s.name() + " perplexity " + s.perplexity());
      assertTrue(s.decodeMs() > 0 && s.prefillMs() > 0);
      assertTrue(Files.exists(dir.resolve("bundle").resolve(s.graph())));
    }
    // The dense model is the most accurate entry, and a smaller budget never buys more weights.
    double fullPpl = menu.get(0).perplexity();
    for (int i = 1; i < menu.size(); i++) {
      assertTrue(
          menu.get(i).perplexity() >= fullPpl * 0.98,
          menu.get(i).name() + " beats full: " + menu.get(i).perplexity());
    }
  }

  @Test
  void everySubnetGeneratesFromTheSharedWeights() throws Exception {
    long[] prompt = decoder.tokenizer().encode("Once upon a time");
    for (DecoderManifest.Subnet s : decoder.subnets()) {
      List<Integer> tokens =
          GreedyDecoder.generate(decoder.session(s.name()), prompt, 16, Set.of()).tokens();
      assertEquals(16, tokens.size());
      assertTrue(tokens.stream().allMatch(t -> t >= 0 && t < decoder.config().vocabSize()));
    }
    // Skipping the least important layer keeps a 5-layer model writing (the smallest entries, one
    // or two layers of an
    // undistilled model, do not; their perplexity in the manifest says so).
    List<Integer> tokens =
        GreedyDecoder.generate(
                decoder.session(manifest.subnets().get(1).name()), prompt, 16, Set.of())
            .tokens();
    assertTrue(new HashSet<>(tokens).size() > 6, "second entry degenerates: " + tokens);
    // one weight file holds everything: no per-subnet copies
    assertEquals(1, countFiles(dir.resolve("bundle"), ".bin"));
  }

  @Test
  void badCheckpointLeavesNoBundleBehind() throws Exception {
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    for (String f : List.of("model.safetensors", "tokenizer.json")) {
      Files.copy(SharedData.tinyStories().resolve(f), broken.resolve(f));
    }
    Files.writeString(
        broken.resolve("config.json"),
        Files.readString(SharedData.tinyStories().resolve("config.json"))
            .replace("\"hidden_size\": 64", "\"hidden_size\": 96"));
    Path out = dir.resolve("out");
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () ->
                ElasticDecoderConverter.convert(
                    broken,
                    SharedData.tinyStoriesText(),
                    out,
                    ElasticDecoderConverter.Options.defaults("x"),
                    io.flexserve.models.Progress.NONE));
    assertTrue(e.getMessage().contains("model."), "names the tensor: " + e.getMessage());
    assertFalse(Files.exists(out));
    try (Stream<Path> siblings = Files.list(dir)) {
      assertTrue(
          siblings.noneMatch(p -> p.getFileName().toString().contains("staging")),
          "staging directory left behind");
    }
  }

  private static long countFiles(Path d, String suffix) throws Exception {
    try (Stream<Path> files = Files.list(d)) {
      return files.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }
}
