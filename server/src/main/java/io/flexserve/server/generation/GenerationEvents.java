package io.flexserve.server.generation;

import java.util.List;
import java.util.Map;

/**
 * What a running generation tells its client, in order: tokens, then exactly one finish or failure.
 */
public interface GenerationEvents {
  /** One generated token and the text it makes available ({@code ""} while text is held back). */
  void token(Token token);

  /** The generation ended. {@code tail} is text still held back, to send before the end. */
  void finish(Finish finish);

  /** Inference failed; nothing more follows. */
  void fail(Exception error);

  /**
   * @param piece the exact text the token adds (leading space included), when logprobs were asked
   *     for
   * @param logprob log-probability of the token, when logprobs were asked for
   * @param top the most likely alternatives (token text → logprob), when asked for
   */
  record Token(
      int id, String text, String piece, String subnet, Double logprob, Map<String, Double> top) {}

  /**
   * @param reason {@code stop} (end of sequence or a stop string), {@code length} (max_tokens or
   *     the context), or {@code cancelled} (the client went away)
   * @param tokensPerSubnet generated tokens by the sub-network that produced them
   * @param deadlineMet whether every given target was met; null when there was none
   */
  record Finish(
      String reason,
      String tail,
      int promptTokens,
      int completionTokens,
      Map<String, Integer> tokensPerSubnet,
      double queueMillis,
      double ttftMillis,
      double totalMillis,
      double predictedMillis,
      Boolean deadlineMet,
      List<String> subnets) {}
}
