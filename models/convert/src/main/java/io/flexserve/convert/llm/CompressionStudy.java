package io.flexserve.convert.llm;

import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.convert.compress.MaskLlmMasks;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.DecoderTokenizer;
import io.flexserve.models.weights.StagedDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The quality table of compression: held-back perplexity of the dense model, of each compressed
 * variant, and of each with plain-SVD and with EoRA compensation at each rank. Uses the converter's
 * calibration split ({@link CalibrationText}: statistics from the first windows, perplexity on the
 * held-back last ones) and evaluates the full model; a compensated layer is evaluated as W_c +
 * B_r·A_r, which is the same function as the bundle's W_c·x + B_r·(A_r·x) path up to float
 * rounding.
 */
public final class CompressionStudy {
  private CompressionStudy() {}

  /**
   * One row of the table.
   *
   * @param weights e.g. {@code int4 g32}
   * @param compensation {@code none | svd | eora}; {@code dense} rows say {@code none}
   * @param rank 0 without compensation
   * @param perplexity on the held-back windows
   * @param recovered share of the compressed model's perplexity gap to dense closed by the
   *     compensation, (ppl_c − ppl) / (ppl_c − ppl_dense); NaN for rows without compensation
   */
  public record Row(
      String weights, String compensation, int rank, double perplexity, double recovered) {}

  /**
   * @param plans compressions to study (their rank and compensation are ignored: every rank is
   *     tried with both fits)
   */
  public record Options(
      int window,
      int rankWindows,
      int heldBackWindows,
      List<CompressionPlan> plans,
      List<Integer> ranks,
      SessionConfig sessions) {
    public Options {
      plans = List.copyOf(plans);
      ranks = List.copyOf(ranks);
    }
  }

  public static List<Row> run(
      Path checkpointDir, Path calibrationFile, Options options, Progress progress)
      throws Exception {
    Path work =
        StagedDirectory.create(Files.createTempDirectory("flexserve-study").resolve("work"));
    try (Checkpoint ckpt = Checkpoint.open(checkpointDir);
        DecoderTokenizer tokenizer = DecoderTokenizer.load(ckpt.tokenizerJson())) {
      ckpt.validate();
      CalibrationText calibration =
          CalibrationText.split(
              Files.readString(calibrationFile),
              tokenizer,
              options.window(),
              options.rankWindows(),
              options.heldBackWindows());
      DecoderWeights dense = DecoderWeights.read(ckpt);
      LayerActivations activations = new LayerActivations(dense.config());
      CalibrationProbe.probe(
          dense,
          calibration.rank(),
          work,
          options.sessions(),
          progress,
          "calibrate",
          (tokens, out) -> {
            for (int l = 0; l < dense.config().layers(); l++) {
              activations.add(l, tokens, out);
            }
          });
      List<Row> rows = new ArrayList<>();
      double densePpl =
          CalibrationProbe.perplexity(dense, calibration.heldBack(), work, options.sessions());
      rows.add(new Row("dense", "none", 0, densePpl, Double.NaN));
      int maxRank = options.ranks().stream().mapToInt(Integer::intValue).max().orElse(0);
      int total = options.plans().size() * (1 + 2 * options.ranks().size());
      for (CompressionPlan plan : options.plans()) {
        String label = plan.describe();
        DecoderWeights compressed =
            DecoderCompressor.compress(
                dense,
                plan,
                activations,
                plan.maskFile() == null ? null : MaskLlmMasks.read(plan.maskFile()));
        double ppl =
            CalibrationProbe.perplexity(
                compressed, calibration.heldBack(), work, options.sessions());
        rows.add(new Row(label, "none", 0, ppl, Double.NaN));
        progress.update("evaluate", rows.size() - 1, total);
        for (CompressionPlan.Compensation fit : CompressionPlan.Compensation.values()) {
          // one fit at the largest rank serves every smaller rank: the rank axis is nested
          Map<String, LowRankFactors> factors =
              DecoderCompressor.factors(
                  dense, compressed, activations, fit, maxRank, Progress.NONE);
          for (int r : options.ranks()) {
            double p =
                CalibrationProbe.perplexity(
                    DecoderCompressor.merged(compressed, factors, r),
                    calibration.heldBack(),
                    work,
                    options.sessions());
            rows.add(new Row(label, fit.label(), r, p, (ppl - p) / (ppl - densePpl)));
            progress.update("evaluate", rows.size() - 1, total);
          }
        }
      }
      return rows;
    } finally {
      StagedDirectory.deleteRecursively(work.getParent());
    }
  }
}
