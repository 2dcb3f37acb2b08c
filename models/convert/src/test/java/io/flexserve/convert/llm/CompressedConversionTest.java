package io.flexserve.convert.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.Linear;
import io.flexserve.models.llm.Precision;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import io.flexserve.models.text.DecoderTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compressed bundle (2:4 Wanda, EoRA stored at rank 8, served at 4 and 8) computes what the
 * compensated weights W_c + B_r·A_r compute in the checkpoint's own order: the factors follow the
 * importance permutation, the graphs read rank prefixes of one stored tensor, and the low-rank path
 * equals the merged matrix. A quantized bundle serves every entry in float32 and in its packed
 * precision, with and without the compensation.
 */
class CompressedConversionTest {
  @TempDir Path dir;

  @Test
  void rankGraphs_computeTheMergedCompensatedModel() throws Exception {
    Path ckptDir = dir.resolve("ckpt");
    SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset("tiny"), 11, 1, "F32");
    CompressionPlan plan =
        new CompressionPlan(
            CompressionPlan.Quantization.NONE,
            32,
            CompressionPlan.Pruning.WANDA,
            null,
            CompressionPlan.Compensation.EORA,
            8,
            List.of(4, 8));
    ElasticDecoderConverter.Options options =
        new ElasticDecoderConverter.Options(
            "synthetic",
            List.of(1.0),
            32,
            8,
            2,
            2,
            Integer.MAX_VALUE,
            16,
            5,
            32,
            SessionConfig.cpu(1),
            List.of(),
            plan);
    DecoderManifest manifest =
        ElasticDecoderConverter.convert(
            ckptDir, SharedData.tinyStoriesText(), dir.resolve("bundle"), options, Progress.NONE);

    assertNotNull(manifest.compression());
    assertEquals(List.of(0, 4, 8), manifest.eoraRanks());
    assertEquals(
        java.util.Set.of("full.r8", "full.r4", "full"),
        manifest.subnets().stream()
            .map(DecoderManifest.Subnet::name)
            .collect(java.util.stream.Collectors.toSet()));
    for (int i = 1; i < manifest.subnets().size(); i++) {
      assertTrue(
          manifest.subnets().get(i - 1).perplexity() <= manifest.subnets().get(i).perplexity(),
          "most accurate first");
    }
    assertEquals(8, manifest.eoraRankOf("full.r8"));
    assertEquals(
        "full",
        manifest.subnets().stream()
            .filter(s -> s.name().equals("full.r4"))
            .findFirst()
            .orElseThrow()
            .base());
    // values at half density (2 B) + 2-bit indices (0.125 B): about 0.53 of float32
    assertTrue(
        manifest.compression().packedLinearBytes()
            < manifest.compression().denseLinearBytes() * 0.55);

    // The same statistics, compression and fit in checkpoint order, evaluated as merged dense
    // matrices.
    try (Checkpoint ckpt = Checkpoint.open(ckptDir);
        DecoderTokenizer tokenizer = DecoderTokenizer.load(ckpt.tokenizerJson())) {
      CalibrationText calibration =
          CalibrationText.split(
              Files.readString(SharedData.tinyStoriesText()), tokenizer, 32, 8, 2);
      DecoderWeights dense = DecoderWeights.read(ckpt);
      LayerActivations activations = new LayerActivations(dense.config());
      Path work = Files.createDirectories(dir.resolve("work"));
      CalibrationProbe.probe(
          dense,
          calibration.rank(),
          work,
          SessionConfig.cpu(1),
          Progress.NONE,
          "probe",
          (tokens, out) -> {
            for (int l = 0; l < dense.config().layers(); l++) {
              activations.add(l, tokens, out);
            }
          });
      DecoderWeights compressed = DecoderCompressor.compress(dense, plan, activations, null);
      Map<String, LowRankFactors> factors =
          DecoderCompressor.factors(
              dense, compressed, activations, CompressionPlan.Compensation.EORA, 8, Progress.NONE);
      for (DecoderManifest.Subnet s : manifest.subnets()) {
        double expected =
            CalibrationProbe.perplexity(
                DecoderCompressor.merged(compressed, factors, s.eoraRank()),
                calibration.heldBack(),
                work,
                SessionConfig.cpu(1));
        assertEquals(expected, s.perplexity(), expected * 1e-4, s.name());
      }
      double densePpl =
          CalibrationProbe.perplexity(dense, calibration.heldBack(), work, SessionConfig.cpu(1));
      double plain =
          manifest.subnets().stream()
              .filter(s -> s.eoraRank() == 0)
              .findFirst()
              .orElseThrow()
              .perplexity();
      double rank8 =
          manifest.subnets().stream()
              .filter(s -> s.eoraRank() == 8)
              .findFirst()
              .orElseThrow()
              .perplexity();
      assertTrue(
          Math.abs(rank8 - densePpl) < Math.abs(plain - densePpl),
          "rank 8 is closer to dense than no compensation");
    }
  }

  @Test
  void quantizedBundle_servesEachEntryInFloat32AndInt4_withAndWithoutCompensation()
      throws Exception {
    Path ckptDir = dir.resolve("ckpt");
    SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset("tiny"), 11, 1, "F32");
    CompressionPlan plan =
        new CompressionPlan(
            CompressionPlan.Quantization.INT4,
            32,
            CompressionPlan.Pruning.NONE,
            null,
            CompressionPlan.Compensation.EORA,
            8,
            List.of(8));
    ElasticDecoderConverter.Options options =
        new ElasticDecoderConverter.Options(
            "synthetic",
            List.of(1.0),
            32,
            8,
            2,
            2,
            Integer.MAX_VALUE,
            16,
            5,
            32,
            SessionConfig.cpu(1),
            List.of(),
            plan);
    Path bundle = dir.resolve("bundle");
    DecoderManifest manifest =
        ElasticDecoderConverter.convert(
            ckptDir, SharedData.tinyStoriesText(), bundle, options, Progress.NONE);

    Map<String, DecoderManifest.Subnet> byName =
        manifest.subnets().stream()
            .collect(java.util.stream.Collectors.toMap(DecoderManifest.Subnet::name, s -> s));
    assertEquals(java.util.Set.of("full", "full.int4", "full.int4.r8"), byName.keySet());
    assertEquals("fp32", byName.get("full").precision());
    assertEquals("int4", byName.get("full.int4").precision());
    assertEquals("full.int4", byName.get("full.int4.r8").base());
    assertEquals(Precision.quantized(4, 32), manifest.precisionOf(byName.get("full.int4.r8")));
    for (int i = 1; i < manifest.subnets().size(); i++) {
      assertTrue(
          manifest.subnets().get(i - 1).perplexity() <= manifest.subnets().get(i).perplexity(),
          "most accurate first");
    }
    double dense = byName.get("full").perplexity();
    assertTrue(
        Math.abs(byName.get("full.int4.r8").perplexity() - dense)
            < Math.abs(byName.get("full.int4").perplexity() - dense),
        "rank 8 is closer to dense than int4 alone: " + manifest.subnets());
    // codes at 4 bits plus a scale and zero point per 32 weights: about 0.16 of float32 (the small
    // model's norms
    // and embeddings aside, which both read)
    assertTrue(
        byName.get("full.int4").weightBytesPerToken()
            < 0.3 * byName.get("full").weightBytesPerToken(),
        manifest.subnets().toString());
    String graph =
        Files.readString(
            bundle.resolve(byName.get("full.int4").graph()),
            java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(graph.contains("MatMulNBits"), "the int4 graph runs MatMulNBits");
    assertTrue(
        !Files.readString(
                bundle.resolve(byName.get("full").graph()),
                java.nio.charset.StandardCharsets.ISO_8859_1)
            .contains("MatMulNBits"),
        "the float32 graph does not");
  }

  /**
   * MaskLLM masks named by Hugging Face weight name and packed with {@code np.packbits} along the
   * last axis give the same compressed model as the pruner that made them: names and the
   * orientation of o and down line up.
   */
  @Test
  void maskLlmArchive_reproducesTheMasksItWasMadeFrom() throws Exception {
    Path ckptDir = dir.resolve("ckpt");
    SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset("tiny"), 5, 1, "F32");
    try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
      DecoderWeights dense = DecoderWeights.read(ckpt);
      var c = dense.config();
      Path npz = dir.resolve("masks.npz");
      try (java.util.zip.ZipOutputStream zip =
          new java.util.zip.ZipOutputStream(Files.newOutputStream(npz))) {
        for (int l = 0; l < c.layers(); l++) {
          for (Linear linear : Linear.values()) {
            int out = linear.out(c);
            int in = linear.in(c);
            boolean[] keep =
                io.flexserve.convert.compress.SemiStructuredPruner.mask(
                    linear.weight(dense.layers().get(l), c), out, in, null);
            zip.putNextEntry(new java.util.zip.ZipEntry(linear.hfName(l) + ".npy"));
            zip.write(io.flexserve.models.testing.Npy.packedRows(keep, out, in));
          }
        }
      }
      CompressionPlan byMask =
          new CompressionPlan(
              CompressionPlan.Quantization.NONE,
              32,
              CompressionPlan.Pruning.MASK,
              npz,
              CompressionPlan.Compensation.EORA,
              0,
              List.of());
      CompressionPlan byMagnitude =
          new CompressionPlan(
              CompressionPlan.Quantization.NONE,
              32,
              CompressionPlan.Pruning.MAGNITUDE,
              null,
              CompressionPlan.Compensation.EORA,
              0,
              List.of());
      DecoderWeights a =
          DecoderCompressor.compress(
              dense, byMask, null, io.flexserve.convert.compress.MaskLlmMasks.read(npz));
      DecoderWeights b = DecoderCompressor.compress(dense, byMagnitude, null, null);
      for (int l = 0; l < c.layers(); l++) {
        for (Linear linear : Linear.values()) {
          org.junit.jupiter.api.Assertions.assertArrayEquals(
              linear.stored(b.layers().get(l)), linear.stored(a.layers().get(l)), linear.hfName(l));
        }
      }
    }
  }
}
