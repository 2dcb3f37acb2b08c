package io.flexserve.server.generation;

import java.util.List;

/**
 * A validated {@code /v1/completions} or {@code /v1/chat/completions} body.
 *
 * @param model requested model, empty when the field was absent
 * @param prompt completions: the prompt text; chat: null
 * @param messages chat: the conversation; completions: null
 * @param maxTokens tokens to generate at most; null = until end of sequence or the context is full
 * @param temperature 0 = greedy
 * @param topP nucleus mass in (0, 1]
 * @param topK 0 = no limit
 * @param seed same seed, same text; null = random
 * @param stop up to 4 strings that end the generation (not included in the text)
 * @param logprobs completions: how many top alternatives to report per token (0-5); null = no
 *     logprobs
 * @param stream answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a final chunk with token counts
 * @param echo completions: the answer starts with the prompt's text
 * @param adjustments {@code presence_penalty}, {@code frequency_penalty}, {@code logit_bias} (token
 *     ids not yet checked against the model's vocabulary)
 */
public record CompletionRequest(
    String model,
    String prompt,
    List<ChatMessage> messages,
    Integer maxTokens,
    double temperature,
    double topP,
    int topK,
    Long seed,
    List<String> stop,
    Integer logprobs,
    boolean stream,
    boolean includeUsage,
    boolean echo,
    LogitAdjustments adjustments) {
  /** One chat turn; role is system, user or assistant. */
  public record ChatMessage(String role, String content) {}

  public boolean chat() {
    return messages != null;
  }
}
