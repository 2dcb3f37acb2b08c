package io.flexserve.loadtest.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What generation requests (completions and chat) carry: prompts used round-robin over the
 * generation requests of a run, {@code max_tokens}, and the distributions of the
 * time-to-first-token and time-per-output-token targets, sent as {@code X-TTFT-Target-Ms} and
 * {@code X-TPOT-Target-Ms}.
 *
 * @param prompts one or more, none blank; a chat request sends its prompt as one user message
 * @param maxTokens {@code max_tokens}, 1 or more
 * @param ttftTargets per-request TTFT targets ({@link TargetDistribution.None} for none)
 * @param tpotTargets per-request TPOT targets ({@link TargetDistribution.None} for none)
 */
public record GenerationSettings(
    List<String> prompts,
    int maxTokens,
    TargetDistribution ttftTargets,
    TargetDistribution tpotTargets) {
  private static final List<String> BUILT_IN =
      List.of(
          "Once upon a time, there was a little girl named Lily.",
          "Tom had a red ball. One day,",
          "The sun was shining and the birds were singing.",
          "A big dog lived in a small house near the park.",
          "Mia wanted to bake a cake for her mom.",
          "Once upon a time, in a land far away, there lived a dragon who was afraid of the dark.",
          "Ben and Sue went to the beach.",
          "The little cat was very hungry.");

  public GenerationSettings {
    prompts = List.copyOf(prompts);
    Objects.requireNonNull(ttftTargets, "ttftTargets");
    Objects.requireNonNull(tpotTargets, "tpotTargets");
    if (prompts.isEmpty() || prompts.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("need one or more non-blank prompts");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
    }
  }

  /** The built-in prompts, 16 tokens, no TTFT/TPOT targets. */
  public static GenerationSettings defaults() {
    return new GenerationSettings(
        BUILT_IN, 16, new TargetDistribution.None(), new TargetDistribution.None());
  }

  /** The eight built-in story openings. */
  public static List<String> builtInPrompts() {
    return BUILT_IN;
  }

  /**
   * Reads one prompt per non-blank line (UTF-8); a line may use {@code \n} for a line break inside
   * the prompt.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no non-blank line
   */
  public static List<String> readPrompts(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(line.strip().replace("\\n", "\n"));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("prompt file " + file + " has no non-blank line");
    }
    return out;
  }

  /** The prompt of the {@code n}-th generation request. */
  public String prompt(long n) {
    return prompts.get((int) (n % prompts.size()));
  }
}
