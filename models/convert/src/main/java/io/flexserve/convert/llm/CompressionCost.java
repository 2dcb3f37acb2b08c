package io.flexserve.convert.llm;

import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderGraph;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.DecoderTimer;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.Linear;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.DecoderTokenizer;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.StagedDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What compression and its compensation cost on one checkpoint: wall time of each stage
 * (calibration probe, compression, fitting the factors of every linear layer), and for the full
 * model at each served rank the decode speed and the weight bytes a decode step reads. Decode is
 * timed in rounds, every rank once per round, so that all ranks see the same machine state; the
 * median over rounds is kept.
 */
public final class CompressionCost {
  private CompressionCost() {}

  /**
   * @param probeSeconds calibration probe over {@code windows} windows
   * @param compressSeconds pruning and quantization of every linear layer
   * @param fitSeconds the factors of every linear layer at the stored rank (EoRA:
   *     eigendecompositions included), wall time
   * @param fitCpuSeconds CPU time of this process meanwhile (all threads): on a machine shared with
   *     other work the wall time overstates what the fit needs; CPU seconds / cores is what it
   *     takes on idle cores
   * @param linearLayers how many layers were fitted
   */
  public record Report(
      LlamaConfig config,
      String plan,
      int windows,
      int windowTokens,
      double probeSeconds,
      double compressSeconds,
      double fitSeconds,
      double fitCpuSeconds,
      int linearLayers,
      long denseLinearBytes,
      long packedLinearBytes,
      List<RankRow> ranks) {}

  /**
   * @param decodeMs median decode step of one sequence after {@code context} cached tokens
   * @param weightBytesPerToken float32 bytes one decode step reads (compressed weights stored as
   *     float32, plus factors)
   * @param packedBytesPerToken the same with the linear layers in their packed format
   * @param factorBytes bytes of the factors at this rank
   */
  public record RankRow(
      int rank,
      double decodeMs,
      long weightBytesPerToken,
      long packedBytesPerToken,
      long factorBytes) {
    public double tokensPerSecond() {
      return 1000 / decodeMs;
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static Report run(
      Path checkpointDir,
      Path calibrationFile,
      CompressionPlan plan,
      int window,
      int windows,
      int context,
      int rounds,
      SessionConfig sessions,
      Progress progress)
      throws Exception {
    Path work = StagedDirectory.create(Files.createTempDirectory("flexserve-cost").resolve("work"));
    try (Checkpoint ckpt = Checkpoint.open(checkpointDir);
        DecoderTokenizer tokenizer = DecoderTokenizer.load(ckpt.tokenizerJson())) {
      ckpt.validate();
      LlamaConfig c = ckpt.config();
      List<long[]> all =
          CalibrationText.windows(Files.readString(calibrationFile), tokenizer, window);
      List<long[]> calibration = all.subList(0, Math.min(windows, all.size()));
      DecoderWeights dense = DecoderWeights.read(ckpt);

      // probe
      long t0 = System.nanoTime();
      LayerActivations activations = new LayerActivations(c);
      CalibrationProbe.probe(
          dense,
          calibration,
          work,
          sessions,
          progress,
          "calibrate",
          (tokens, out) -> {
            for (int l = 0; l < c.layers(); l++) {
              activations.add(l, tokens, out);
            }
          });
      double probe = (System.nanoTime() - t0) / 1e9;

      // compress
      t0 = System.nanoTime();
      DecoderWeights compressed = DecoderCompressor.compress(dense, plan, activations, null);
      double compress = (System.nanoTime() - t0) / 1e9;

      // fit
      t0 = System.nanoTime();
      long cpu0 = processCpuNanos();
      Map<String, LowRankFactors> factors =
          DecoderCompressor.factors(
              dense, compressed, activations, plan.compensation(), plan.rank(), progress);
      double fit = (System.nanoTime() - t0) / 1e9;
      double fitCpu = (processCpuNanos() - cpu0) / 1e9;
      dense = null;

      // decode per rank: one weight file, one graph per rank
      WeightLayout layout =
          DecoderWeightFile.write(compressed, factors, work.resolve("weights.bin"));
      MappedWeights weights = MappedWeights.map(work.resolve("weights.bin"));
      DecoderSubnet full = DecoderSubnet.full(c);
      List<Integer> ranks = new ArrayList<>(List.of(0));
      ranks.addAll(plan.servedRanks());
      List<DecoderSession> sessionsPerRank = new ArrayList<>();
      double[][] millis = new double[ranks.size()][rounds];
      try {
        for (int r : ranks) {
          Path graph = work.resolve("r" + r + ".onnx");
          Files.write(graph, DecoderGraph.build(c, full, layout, false, r).toByteArray());
          sessionsPerRank.add(DecoderSession.open(graph, weights, sessions, c, full));
        }
        for (int round = 0; round < rounds; round++) {
          for (int i = 0; i < ranks.size(); i++) {
            millis[i][round] = DecoderTimer.decodeMillis(sessionsPerRank.get(i), context, 8);
          }
          progress.update("decode", round + 1, rounds);
        }
      } finally {
        for (DecoderSession s : sessionsPerRank) {
          s.close();
        }
      }
      long denseLinear = 0;
      long packedLinear = 0;
      for (Linear linear : Linear.values()) {
        denseLinear += 4L * linear.out(c) * linear.in(c) * c.layers();
        packedLinear += plan.packedBytes(linear.out(c), linear.in(c)) * c.layers();
      }
      long floatBytes = 4 * full.weightFloatsPerToken(c);
      List<RankRow> rows = new ArrayList<>();
      for (int i = 0; i < ranks.size(); i++) {
        int r = ranks.get(i);
        long factorBytes = 0;
        for (LowRankFactors f : factors.values()) {
          factorBytes += f.bytes(r);
        }
        double[] m = millis[i].clone();
        Arrays.sort(m);
        rows.add(
            new RankRow(
                r,
                m[m.length / 2],
                floatBytes + factorBytes,
                floatBytes - denseLinear + packedLinear + factorBytes,
                factorBytes));
      }
      return new Report(
          c,
          plan.describe(),
          calibration.size(),
          window,
          probe,
          compress,
          fit,
          fitCpu,
          c.layers() * Linear.values().length,
          denseLinear,
          packedLinear,
          rows);
    } finally {
      StagedDirectory.deleteRecursively(work.getParent());
    }
  }
}
