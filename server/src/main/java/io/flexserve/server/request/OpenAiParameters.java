package io.flexserve.server.request;

import io.flexserve.server.errors.ApiException;
import io.micronaut.json.tree.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAI request fields a body may carry, and the refusal of every other: a parameter is either
 * served or answered 422 {@code unsupported_parameter} naming it, never ignored. A refused
 * parameter sent at its neutral value (for example {@code best_of: 1}, {@code tools: []}, {@code
 * response_format: {"type": "text"}}) asks for nothing and is accepted. The README's parameter
 * table lists the same sets.
 */
public final class OpenAiParameters {
  /** Fields of /v1/completions that are served. */
  public static final Set<String> COMPLETIONS =
      Set.of(
          "model",
          "prompt",
          "max_tokens",
          "temperature",
          "top_p",
          "top_k",
          "seed",
          "n",
          "logprobs",
          "stop",
          "stream",
          "stream_options",
          "user",
          "presence_penalty",
          "frequency_penalty",
          "logit_bias",
          "echo");

  /** Fields of /v1/chat/completions that are served. */
  public static final Set<String> CHAT =
      Set.of(
          "model",
          "messages",
          "max_tokens",
          "max_completion_tokens",
          "temperature",
          "top_p",
          "top_k",
          "seed",
          "n",
          "stop",
          "stream",
          "stream_options",
          "user",
          "presence_penalty",
          "frequency_penalty",
          "logit_bias",
          "logprobs",
          "top_logprobs");

  /** Fields of /v1/embeddings that are served. */
  public static final Set<String> EMBEDDINGS = Set.of("model", "input", "encoding_format", "user");

  /** Why each known-but-refused field is refused. */
  private static final Map<String, String> WHY =
      Map.ofEntries(
          Map.entry(
              "response_format",
              "structured output (json_object, json_schema) is not implemented; only {\"type\": \"text\"}"),
          Map.entry("tools", "the models here have no tool-calling template"),
          Map.entry("tool_choice", "the models here have no tool-calling template"),
          Map.entry("functions", "the models here have no tool-calling template"),
          Map.entry("function_call", "the models here have no tool-calling template"),
          Map.entry("parallel_tool_calls", "the models here have no tool-calling template"),
          Map.entry("best_of", "one candidate is generated per request; best_of must be 1"),
          Map.entry("suffix", "insertion (suffix) is not supported by these models"),
          Map.entry(
              "dimensions",
              "the encoder was not trained for shortened embeddings; leave dimensions out"));

  private OpenAiParameters() {}

  /** Refuses (422) every field of {@code root} outside {@code served} that asks for something. */
  public static void refuseUnsupported(JsonNode root, Set<String> served) {
    for (Map.Entry<String, JsonNode> field : root.entries()) {
      String name = field.getKey();
      if (served.contains(name) || neutral(name, field.getValue())) {
        continue;
      }
      String why = WHY.getOrDefault(name, "it is not an OpenAI parameter this endpoint serves");
      throw new ApiException.InvalidValue(
          "unsupported_parameter", "'" + name + "' is not supported: " + why);
    }
  }

  /** Whether a refused field carries its do-nothing value. */
  private static boolean neutral(String name, JsonNode v) {
    if (v.isNull()) {
      return true;
    }
    return switch (name) {
      case "best_of" -> v.isNumber() && v.getDoubleValue() == 1;
      case "parallel_tool_calls" -> v.isBoolean() && !v.getBooleanValue();
      case "tools", "functions" -> v.isArray() && v.size() == 0;
      case "tool_choice", "function_call" -> v.isString() && v.getStringValue().equals("none");
      case "response_format" ->
          v.isObject()
              && v.get("type") != null
              && v.get("type").isString()
              && v.get("type").getStringValue().equals("text");
      default -> false;
    };
  }
}
