package io.flexserve.convert.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import io.flexserve.models.llm.DecoderGraph;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import io.flexserve.models.weights.MappedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded BF16 checkpoint of another shape (GQA 4 heads / 2 groups, untied head) converts, and
 * the bundle's permuted full sub-network computes exactly what the dense checkpoint does.
 */
class SyntheticConversionTest {
  @TempDir Path dir;

  @Test
  void mlpVariantsAreKvCompatibleCopiesOfFullWithNarrowerMlps() throws Exception {
    Path ckptDir = dir.resolve("ckpt");
    SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset("tiny"), 7, 1, "F32");
    ElasticDecoderConverter.Options options =
        new ElasticDecoderConverter.Options(
                "synthetic",
                // no latency budget below full: on a model this tiny every candidate costs about
                // what
                // full does (fixed per-op time), so whether one fits 80 % of full's measured time
                // is
                // up to the machine's noise; the MLP variants are what this test is about
                List.of(1.0),
                32,
                8,
                2,
                2,
                Integer.MAX_VALUE,
                16,
                5,
                32,
                SessionConfig.cpu(1))
            .withMlpVariants(List.of(0.5, 0.25));
    DecoderManifest manifest =
        ElasticDecoderConverter.convert(
            ckptDir,
            SharedData.tinyStoriesText(),
            dir.resolve("bundle"),
            options,
            io.flexserve.models.Progress.NONE);
    var c = manifest.llamaConfig();
    DecoderManifest.Subnet full = manifest.subnets().get(0);
    assertEquals("full", full.name());
    String halfWidth = null; // the name the menu gives full-mlp50
    for (String name : List.of("full-mlp50", "full-mlp25")) {
      double fraction = name.endsWith("50") ? 0.5 : 0.25;
      int width = Math.max(8, (int) Math.round(c.intermediate() * fraction / 8.0) * 8);
      // The variant is on the menu under its own name, or under a budget's name when the
      // latency-driven search chose
      // the same shape for a budget (it is then not added twice): find it by shape.
      DecoderManifest.Subnet v =
          manifest.subnets().stream()
              .filter(
                  s ->
                      s.name().equals(name)
                          || s.layers()
                              .equals(
                                  full.layers().stream()
                                      .map(
                                          l ->
                                              new DecoderSubnet.Layer(
                                                  l.index(), l.kvGroups(), width))
                                      .toList()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          name + " (MLP width " + width + ") missing from " + manifest.subnets()));
      if (fraction == 0.5) {
        halfWidth = v.name();
      }
      assertEquals(full.layers().size(), v.layers().size());
      for (int i = 0; i < v.layers().size(); i++) {
        assertEquals(full.layers().get(i).index(), v.layers().get(i).index());
        assertEquals(full.layers().get(i).kvGroups(), v.layers().get(i).kvGroups());
        assertEquals(width, v.layers().get(i).mlpWidth());
      }
      assertEquals(0, width % 8);
      assertTrue(v.decodeMs() > 0 && v.prefillMs() > 0 && v.perplexity() > 1, v.toString());
      assertTrue(v.weightBytesPerToken() < full.weightBytesPerToken());
      assertTrue(Files.exists(dir.resolve("bundle").resolve(v.graph())));
    }
    // largest first
    for (int i = 1; i < manifest.subnets().size(); i++) {
      assertTrue(
          manifest.subnets().get(i).weightBytesPerToken()
              <= manifest.subnets().get(i - 1).weightBytesPerToken());
    }
    try (ElasticDecoder bundle =
        ElasticDecoder.load(dir.resolve("bundle"), SessionConfig.cpu(1), n -> true)) {
      assertEquals(
          20,
          GreedyDecoder.generate(bundle.session(halfWidth), new long[] {1, 70, 80}, 20, Set.of())
              .tokens()
              .size());
    }
  }

  @Test
  void shardedBf16CheckpointConvertsAndFullStaysExact() throws Exception {
    Path ckptDir = dir.resolve("ckpt");
    SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset("tiny"), 7, 2, "BF16");
    assertTrue(Files.exists(ckptDir.resolve(Checkpoint.INDEX)));
    ElasticDecoderConverter.Options options =
        new ElasticDecoderConverter.Options(
                "synthetic",
                List.of(1.0), // as above: budgets below full would depend on timing noise here
                32,
                8,
                2,
                2,
                Integer.MAX_VALUE,
                16,
                5,
                32,
                SessionConfig.cpu(1))
            .withMlpVariants(List.of(0.5)); // a second menu entry that timing cannot take away
    DecoderManifest manifest =
        ElasticDecoderConverter.convert(
            ckptDir,
            SharedData.tinyStoriesText(),
            dir.resolve("bundle"),
            options,
            io.flexserve.models.Progress.NONE);
    assertTrue(manifest.subnets().size() >= 2);

    long[] prompt = {1, 70, 80, 90, 100, 110};
    List<Integer> dense;
    try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
      WeightLayout layout =
          DecoderWeightFile.write(DecoderWeights.read(ckpt), dir.resolve("dense.bin"));
      DecoderSubnet full = DecoderSubnet.full(ckpt.config());
      Files.write(
          dir.resolve("dense.onnx"),
          DecoderGraph.build(ckpt.config(), full, layout, false).toByteArray());
      try (DecoderSession s =
          DecoderSession.open(
              dir.resolve("dense.onnx"),
              MappedWeights.map(dir.resolve("dense.bin")),
              SessionConfig.cpu(1),
              ckpt.config(),
              full)) {
        dense = GreedyDecoder.generate(s, prompt, 20, Set.of()).tokens();
      }
    }
    try (ElasticDecoder bundle =
        ElasticDecoder.load(dir.resolve("bundle"), SessionConfig.cpu(1), n -> true)) {
      assertEquals(
          dense, GreedyDecoder.generate(bundle.session("full"), prompt, 20, Set.of()).tokens());
    }
  }
}
