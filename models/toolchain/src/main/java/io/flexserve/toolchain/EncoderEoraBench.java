package io.flexserve.toolchain;

import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.encoder.EncoderCompressionStudy;
import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.runtime.SessionConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench eora-encoder}: cosine fidelity to the dense embedded all-MiniLM-L6-v2 of
 * its int8 and int4 compressions, without and with plain-SVD / EoRA compensation at each rank, on
 * the held-out validation sentences (statistics from the calibration sentences).
 */
@Command(
    name = "eora-encoder",
    description =
        "MiniLM: cosine fidelity to dense of int8 / int4, without and with SVD / EoRA compensation.")
final class EncoderEoraBench implements Callable<Integer> {
  @picocli.CommandLine.Mixin CompressionTableOptions table = new CompressionTableOptions();

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime threads (0 = all cores).")
  int threads;

  @Override
  public Integer call() throws Exception {
    List<CompressionPlan> plans = table.plans(List.of("int8", "int4"));
    List<String> calibration = MiniLmDefault.calibrationSentences();
    List<String> validation = MiniLmDefault.validationSentences();
    List<EncoderCompressionStudy.Row> rows;
    try (ProgressBars bars = new ProgressBars()) {
      rows =
          EncoderCompressionStudy.run(
              new MiniLmDefault(),
              calibration,
              validation,
              plans,
              table.ranks,
              SessionConfig.cpu(threads),
              bars);
    }
    System.out.printf(
        "%s: cosine to the dense model on %d held-out sentences (statistics from %d calibration sentences)%n",
        MiniLmDefault.NAME, validation.size(), calibration.size());
    System.out.printf(
        "| %-10s | %-12s | %4s | %11s | %10s |%n",
        "weights", "compensation", "rank", "mean cosine", "min cosine");
    System.out.println("|------------|--------------|------|-------------|------------|");
    for (EncoderCompressionStudy.Row r : rows) {
      System.out.printf(
          "| %-10s | %-12s | %4s | %11.6f | %10.6f |%n",
          r.weights(),
          r.compensation(),
          r.rank() == 0 ? "" : r.rank(),
          r.meanCosine(),
          r.minCosine());
    }
    return 0;
  }
}
