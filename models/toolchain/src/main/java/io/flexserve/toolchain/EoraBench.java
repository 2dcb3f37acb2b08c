package io.flexserve.toolchain;

import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.llm.CompressionCost;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench eora --checkpoint DIR --calibration FILE --quantize int4 --eora-rank 16}:
 * the cost of compression with EoRA on one checkpoint (made for the synthetic 100M model of {@code
 * flexserve synth}): wall time to probe, compress and fit every linear layer, then decode tokens/s
 * and weight bytes per token of the full model with the compensation off and at each served rank.
 */
@Command(
    name = "eora",
    description =
        "Cost of EoRA: fit time for every linear layer; decode tokens/s and weight bytes per rank.")
public final class EoraBench implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description = "Checkpoint directory (e.g. from `flexserve synth --preset 100m`).")
  Path checkpoint;

  @Option(names = "--calibration", required = true, description = "Calibration text.")
  Path calibration;

  @Option(
      names = "--window",
      defaultValue = "128",
      description = "Tokens per calibration window (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--windows",
      defaultValue = "16",
      description = "Calibration windows (default: ${DEFAULT-VALUE}).")
  int windows;

  @Option(
      names = "--context",
      defaultValue = "64",
      description = "Cached tokens behind each timed decode step (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Timing rounds, every rank once per round (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "ONNX Runtime threads for decode (default: ${DEFAULT-VALUE}).")
  int threads;

  @Mixin CompressionOptions compression = new CompressionOptions();

  @Override
  public Integer call() throws Exception {
    CompressionPlan plan = compression.plan();
    if (plan == null || plan.rank() == 0) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "give --eora-rank R (and a compression)");
    }
    double loadAverage =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    CompressionCost.Report r;
    try (ProgressBars bars = new ProgressBars()) {
      r =
          CompressionCost.run(
              checkpoint,
              calibration,
              plan,
              window,
              windows,
              context,
              rounds,
              SessionConfig.cpu(threads),
              bars);
    }
    var c = r.config();
    System.out.printf(
        "%s: %.1fM parameters, %d layers, hidden %d, MLP %d; %s; %d cores available%n",
        checkpoint.getFileName(),
        c.parameterCount() / 1e6,
        c.layers(),
        c.hidden(),
        c.intermediate(),
        r.plan(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "calibration probe (%d windows × %d tokens): %.1f s%n",
        r.windows(), r.windowTokens(), r.probeSeconds());
    System.out.printf("compress %d linear layers: %.1f s%n", r.linearLayers(), r.compressSeconds());
    System.out.printf(
        "fit %s factors of %d linear layers at rank %d: %.1f s wall, %.1f s CPU (load average before: %.2f)%n",
        plan.compensation().label(),
        r.linearLayers(),
        plan.rank(),
        r.fitSeconds(),
        r.fitCpuSeconds(),
        loadAverage);
    System.out.printf(
        "linear layers: %.1f MB float32, %.1f MB packed%n",
        r.denseLinearBytes() / 1e6, r.packedLinearBytes() / 1e6);
    System.out.printf(
        "| %4s | %11s | %10s | %9s | %18s | %17s | %10s |%n",
        "rank",
        "decode ms",
        "tokens/s",
        "vs off",
        "MB/token (stored)",
        "MB/token (packed)",
        "factor MB");
    System.out.println(
        "|------|-------------|------------|-----------|--------------------|-------------------|------------|");
    double off = r.ranks().get(0).tokensPerSecond();
    for (CompressionCost.RankRow row : r.ranks()) {
      System.out.printf(
          "| %4d | %11.2f | %10.1f | %8.2f× | %18.1f | %17.1f | %10.2f |%n",
          row.rank(),
          row.decodeMs(),
          row.tokensPerSecond(),
          row.tokensPerSecond() / off,
          row.weightBytesPerToken() / 1e6,
          row.packedBytesPerToken() / 1e6,
          row.factorBytes() / 1e6);
    }
    return 0;
  }
}
