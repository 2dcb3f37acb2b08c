package io.flexserve.loadtest;

import io.flexserve.loadtest.workload.EndpointMix;
import io.flexserve.loadtest.workload.GenerationSettings;
import io.flexserve.loadtest.workload.TargetDistribution;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options of completions and chat requests: which endpoints, prompts, max_tokens and TTFT/TPOT
 * targets.
 */
final class GenerationOptions {
  @Option(
      names = "--mix",
      paramLabel = "SPEC",
      description =
          "Endpoint kinds and weights, such as "
              + "embeddings=0.5,completions=0.3,chat-stream=0.2; kinds: embeddings, completions, completions-stream, "
              + "chat, chat-stream, vision (default: embeddings).")
  String mix;

  @Option(
      names = "--prompt-file",
      paramLabel = "FILE",
      description =
          "Generation prompts, one per line, used round-robin (default: 8 built-in story openings).")
  Path promptFile;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      defaultValue = "16",
      description = "max_tokens of completions and chat requests (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--ttft-target-ms",
      paramLabel = "T",
      description = "Generation requests send X-TTFT-Target-Ms: T.")
  Double ttftTargetMs;

  @Option(
      names = "--ttft-target-dist",
      paramLabel = "SPEC",
      description = "Per-request TTFT targets, seeded: uniform:LOW:HIGH or fixed:T (ms).")
  String ttftTargetDist;

  @Option(
      names = "--tpot-target-ms",
      paramLabel = "T",
      description = "Generation requests send X-TPOT-Target-Ms: T.")
  Double tpotTargetMs;

  @Option(
      names = "--tpot-target-dist",
      paramLabel = "SPEC",
      description = "Per-request TPOT targets, seeded: uniform:LOW:HIGH or fixed:T (ms).")
  String tpotTargetDist;

  /** The mix; embeddings only when {@code --mix} is absent. */
  EndpointMix mix() {
    return mix == null
        ? EndpointMix.only(io.flexserve.loadtest.workload.EndpointKind.EMBEDDINGS)
        : EndpointMix.parse(mix);
  }

  /**
   * The generation settings.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  GenerationSettings settings() {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("--max-tokens must be >= 1, got " + maxTokens);
    }
    List<String> prompts;
    try {
      prompts =
          promptFile == null
              ? GenerationSettings.builtInPrompts()
              : GenerationSettings.readPrompts(promptFile);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --prompt-file " + promptFile + ": " + e, e);
    }
    return new GenerationSettings(
        prompts,
        maxTokens,
        targets("--ttft", ttftTargetMs, ttftTargetDist),
        targets("--tpot", tpotTargetMs, tpotTargetDist));
  }

  private static TargetDistribution targets(String prefix, Double fixed, String dist) {
    if (fixed != null && dist != null) {
      throw new IllegalArgumentException(
          "give at most one of " + prefix + "-target-ms and " + prefix + "-target-dist");
    }
    if (fixed != null) {
      return new TargetDistribution.Fixed(fixed);
    }
    return dist == null ? new TargetDistribution.None() : TargetDistribution.parse(dist);
  }
}
