package io.flexserve.server.generation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's completion and chat response shapes, exactly (field names, {@code object} values, nulls
 * where OpenAI sends null), plus one extension object, {@code flexserve}, that says which
 * sub-network produced the text and whether the targets were met. Built as JSON trees: the shapes
 * differ by endpoint and by streaming.
 */
final class CompletionChunks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean chat;
  private final String id;
  private final String model;
  private final long created = System.currentTimeMillis() / 1000;

  CompletionChunks(boolean chat, String model, long sequence) {
    this.chat = chat;
    this.model = model;
    this.id =
        (chat ? "chatcmpl-" : "cmpl-") + Long.toHexString(created) + Long.toHexString(sequence);
  }

  /** The whole answer of a non-streaming request. */
  String response(String text, Logprobs logprobs, GenerationEvents.Finish f) {
    ObjectNode root = header(chat ? "chat.completion" : "text_completion");
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
      putChatLogprobs(choice, logprobs);
    } else {
      choice.put("text", text);
      putLogprobs(choice, logprobs);
    }
    choice.put("finish_reason", f.reason().equals("cancelled") ? "stop" : f.reason());
    usage(root.putObject("usage"), f);
    extension(root, f);
    return root.toString();
  }

  /** A streamed piece of text; the first chat chunk also carries the assistant role. */
  String delta(String text, boolean first, String subnet, Logprobs logprobs) {
    return delta(text, first, subnet, null, logprobs);
  }

  /**
   * A streamed piece, also naming the compensation rank ({@code eora_rank}) when the model has one
   * (non-null).
   */
  String delta(String text, boolean first, String subnet, Integer eoraRank, Logprobs logprobs) {
    ObjectNode root = header(chat ? "chat.completion.chunk" : "text_completion");
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (first) {
        delta.put("role", "assistant");
      }
      delta.put("content", text);
      putChatLogprobs(choice, logprobs);
    } else {
      choice.put("text", text);
      putLogprobs(choice, logprobs);
    }
    choice.putNull("finish_reason");
    ObjectNode ext = root.putObject("flexserve").put("subnet", subnet);
    if (eoraRank != null) {
      ext.put("eora_rank", eoraRank);
    }
    return root.toString();
  }

  /**
   * The last chunk with a choice: remaining text (if any) and the finish reason, plus the run's
   * summary.
   */
  String last(String tail, GenerationEvents.Finish f) {
    ObjectNode root = header(chat ? "chat.completion.chunk" : "text_completion");
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (!tail.isEmpty()) {
        delta.put("content", tail);
      }
      choice.putNull("logprobs");
    } else {
      choice.put("text", tail);
      choice.putNull("logprobs");
    }
    choice.put("finish_reason", f.reason().equals("cancelled") ? "stop" : f.reason());
    extension(root, f);
    return root.toString();
  }

  /**
   * {@code stream_options.include_usage}: a final chunk with empty choices and the token counts.
   */
  String usageChunk(GenerationEvents.Finish f) {
    ObjectNode root = header(chat ? "chat.completion.chunk" : "text_completion");
    root.putArray("choices");
    usage(root.putObject("usage"), f);
    return root.toString();
  }

  /** An error inside a stream, after the 200 was sent: OpenAI's error object as one event. */
  static String error(String message) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error")
        .put("message", message)
        .put("type", "server_error")
        .put("code", "inference_failed");
    return root.toString();
  }

  private ObjectNode header(String object) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id).put("object", object).put("created", created).put("model", model);
    root.putNull("system_fingerprint");
    return root;
  }

  private static void usage(ObjectNode usage, GenerationEvents.Finish f) {
    usage
        .put("prompt_tokens", f.promptTokens())
        .put("completion_tokens", f.completionTokens())
        .put("total_tokens", f.promptTokens() + f.completionTokens());
  }

  private static void extension(ObjectNode root, GenerationEvents.Finish f) {
    ObjectNode ext = root.putObject("flexserve");
    ObjectNode per = ext.putObject("tokens_per_subnet");
    f.tokensPerSubnet().forEach(per::put);
    if (f.deadlineMet() == null) {
      ext.putNull("deadline_met");
    } else {
      ext.put("deadline_met", f.deadlineMet());
    }
    ext.put("ttft_ms", Math.round(f.ttftMillis() * 1000) / 1000.0)
        .put("total_ms", Math.round(f.totalMillis() * 1000) / 1000.0);
  }

  private static void putLogprobs(ObjectNode choice, Logprobs lp) {
    if (lp == null) {
      choice.putNull("logprobs");
      return;
    }
    ObjectNode o = choice.putObject("logprobs");
    ArrayNode tokens = o.putArray("tokens");
    ArrayNode values = o.putArray("token_logprobs");
    ArrayNode top = o.putArray("top_logprobs");
    ArrayNode offsets = o.putArray("text_offset");
    for (int i = 0; i < lp.tokens().size(); i++) {
      tokens.add(lp.tokens().get(i));
      values.add(lp.logprobs().get(i));
      ObjectNode alternatives = top.addObject();
      lp.top().get(i).forEach(alternatives::put);
      offsets.add(lp.offsets().get(i));
    }
  }

  /**
   * Chat {@code logprobs}: {@code content}, one entry per token with its text, UTF-8 bytes and
   * alternatives.
   */
  private static void putChatLogprobs(ObjectNode choice, Logprobs lp) {
    if (lp == null) {
      choice.putNull("logprobs");
      return;
    }
    ObjectNode o = choice.putObject("logprobs");
    ArrayNode content = o.putArray("content");
    for (int i = 0; i < lp.tokens().size(); i++) {
      ObjectNode entry =
          tokenLogprob(content.addObject(), lp.tokens().get(i), lp.logprobs().get(i));
      ArrayNode top = entry.putArray("top_logprobs");
      lp.top().get(i).forEach((token, logprob) -> tokenLogprob(top.addObject(), token, logprob));
    }
    o.putNull("refusal");
  }

  private static ObjectNode tokenLogprob(ObjectNode node, String token, double logprob) {
    node.put("token", token).put("logprob", logprob);
    ArrayNode bytes = node.putArray("bytes");
    for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return node;
  }

  /** Completions {@code logprobs}, parallel lists per generated token. */
  record Logprobs(
      List<String> tokens,
      List<Double> logprobs,
      List<Map<String, Double>> top,
      List<Integer> offsets) {}
}
