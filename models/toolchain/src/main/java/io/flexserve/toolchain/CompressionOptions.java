package io.flexserve.toolchain;

import io.flexserve.convert.compress.CompressionPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The compression flags of {@code convert} (a picocli mixin): what to do to the linear layers and
 * which compensation.
 */
final class CompressionOptions {
  @Option(
      names = "--quantize",
      description =
          "Quantize the linear layers and LM head to int8 or int4 (blocks along the input), served by "
              + "ONNX Runtime's MatMulNBits as extra menu entries (<subnet>.int4, <subnet>.int4.r<rank>) beside the float32 ones.")
  String quantize;

  @Option(
      names = "--block-size",
      defaultValue = "32",
      description = "Quantization block size: 16, 32, 64 or 128 (default: ${DEFAULT-VALUE}).")
  int blockSize;

  @Option(
      names = "--prune",
      description = "Semi-structured sparsity along the input dimension; only 2:4.")
  String prune;

  @Option(
      names = "--prune-method",
      defaultValue = "wanda",
      description = "2:4 selection: magnitude or wanda (|W|·‖X‖) (default: ${DEFAULT-VALUE}).")
  String pruneMethod;

  @Option(
      names = "--mask",
      description =
          "MaskLLM masks (.npz of np.packbits keep-masks, see models/README.md) instead of --prune-method.")
  Path mask;

  @Option(
      names = "--eora-rank",
      defaultValue = "0",
      description = "Stored rank of the low-rank compensation of every linear layer (0: none).")
  int eoraRank;

  @Option(
      names = "--eora-ranks",
      split = ",",
      description =
          "Ranks served as graphs of their own (default: 4, 8, … below --eora-rank, and --eora-rank).")
  List<Integer> servedRanks;

  @Option(
      names = "--eora-fit",
      defaultValue = "eora",
      description =
          "eora (activation eigenspace) or svd (plain SVD of ΔW, the ablation) (default: ${DEFAULT-VALUE}).")
  String fit;

  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec command;

  /**
   * The plan these flags describe, or null when none is given.
   *
   * @throws picocli.CommandLine.ParameterException naming the bad flag value (the CLI prints it
   *     with the usage)
   */
  CompressionPlan plan() {
    try {
      return parse();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(command.commandLine(), e.getMessage());
    }
  }

  private CompressionPlan parse() {
    if (quantize == null && prune == null && mask == null && eoraRank == 0) {
      return null;
    }
    CompressionPlan.Quantization q =
        quantize == null ? CompressionPlan.Quantization.NONE : quantization(quantize);
    CompressionPlan.Pruning p = CompressionPlan.Pruning.NONE;
    if (mask != null) {
      p = CompressionPlan.Pruning.MASK;
    } else if (prune != null) {
      if (!prune.equals("2:4")) {
        throw new IllegalArgumentException("--prune supports only 2:4, got " + prune);
      }
      p = pruning(pruneMethod);
    }
    List<Integer> served =
        servedRanks == null ? CompressionPlan.defaultServedRanks(eoraRank) : servedRanks;
    return new CompressionPlan(q, blockSize, p, mask, fit(fit), eoraRank, served);
  }

  static CompressionPlan.Quantization quantization(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "int8":
        return CompressionPlan.Quantization.INT8;
      case "int4":
        return CompressionPlan.Quantization.INT4;
      case "none":
        return CompressionPlan.Quantization.NONE;
      default:
        throw new IllegalArgumentException("--quantize must be int8 or int4, got " + s);
    }
  }

  static CompressionPlan.Pruning pruning(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "magnitude":
        return CompressionPlan.Pruning.MAGNITUDE;
      case "wanda":
        return CompressionPlan.Pruning.WANDA;
      default:
        throw new IllegalArgumentException("--prune-method must be magnitude or wanda, got " + s);
    }
  }

  static CompressionPlan.Compensation fit(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "eora":
        return CompressionPlan.Compensation.EORA;
      case "svd":
        return CompressionPlan.Compensation.SVD;
      default:
        throw new IllegalArgumentException("--eora-fit must be eora or svd, got " + s);
    }
  }

  /**
   * A compression named on the command line of {@code eval}: parts joined by {@code +}, each {@code
   * int8}, {@code int4}, {@code 2:4-magnitude}, {@code 2:4-wanda} or {@code 2:4-mask=FILE}; e.g.
   * {@code int4+2:4-wanda}.
   */
  static CompressionPlan spec(String spec, int blockSize) {
    CompressionPlan.Quantization q = CompressionPlan.Quantization.NONE;
    CompressionPlan.Pruning p = CompressionPlan.Pruning.NONE;
    Path mask = null;
    for (String part : spec.split("\\+")) {
      if (part.startsWith("2:4-mask=")) {
        p = CompressionPlan.Pruning.MASK;
        mask = Path.of(part.substring("2:4-mask=".length()));
      } else if (part.startsWith("2:4-")) {
        p = pruning(part.substring(4));
      } else {
        q = quantization(part);
      }
    }
    return new CompressionPlan(
        q, blockSize, p, mask, CompressionPlan.Compensation.EORA, 0, List.of());
  }
}
