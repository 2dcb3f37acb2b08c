package io.flexserve.server.generation;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.request.JsonBodies;
import io.flexserve.server.request.OpenAiParameters;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates completion and chat bodies with OpenAI's field names and ranges. Structure
 * errors (not JSON, missing field, wrong JSON type) are 400; well-formed but unacceptable values
 * are 422. A field that is not served is 422 {@code unsupported_parameter} ({@link
 * OpenAiParameters}), never ignored. The {@code developer} role is a system turn; a message's
 * content may be a string or an array of {@code text} parts.
 */
@Singleton
public final class CompletionRequestParser {
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
  private final JsonMapper json;

  public CompletionRequestParser(JsonMapper json) {
    this.json = json;
  }

  public CompletionRequest parse(byte[] body, boolean chat) {
    JsonNode root = JsonBodies.parse(json, body);
    if (!root.isObject()) {
      throw new ApiException.BadRequest("invalid_json", "request body must be a JSON object");
    }
    OpenAiParameters.refuseUnsupported(
        root, chat ? OpenAiParameters.CHAT : OpenAiParameters.COMPLETIONS);
    String model = optionalString(root, "model");
    String prompt = null;
    List<CompletionRequest.ChatMessage> messages = null;
    if (chat) {
      messages = messages(root.get("messages"));
    } else {
      prompt = prompt(root.get("prompt"));
    }
    Integer maxTokens =
        optionalInt(
            root,
            chat && root.get("max_completion_tokens") != null
                ? "max_completion_tokens"
                : "max_tokens");
    if (maxTokens != null && maxTokens < 1) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'max_tokens' must be ≥ 1, got " + maxTokens);
    }
    double temperature = optionalNumber(root, "temperature", 1.0);
    if (temperature < 0 || temperature > 2) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'temperature' must be in [0, 2], got " + temperature);
    }
    double topP = optionalNumber(root, "top_p", 1.0);
    if (!(topP > 0) || topP > 1) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'top_p' must be in (0, 1], got " + topP);
    }
    Integer topK = optionalInt(root, "top_k");
    if (topK != null && topK < 0) {
      throw new ApiException.InvalidValue("invalid_value", "'top_k' must be ≥ 0, got " + topK);
    }
    JsonNode seedNode = root.get("seed");
    Long seed = null;
    if (seedNode != null && !seedNode.isNull()) {
      if (!seedNode.isNumber()
          || seedNode.getNumberValue().doubleValue()
              != Math.rint(seedNode.getNumberValue().doubleValue())) {
        throw new ApiException.BadRequest("wrong_type", "'seed' must be an integer");
      }
      seed = seedNode.getNumberValue().longValue();
    }
    Integer n = optionalInt(root, "n");
    if (n != null && n != 1) {
      throw new ApiException.InvalidValue(
          "unsupported_parameter", "'n' must be 1 (one choice per request), got " + n);
    }
    Integer logprobs = chat ? chatLogprobs(root) : null;
    JsonNode lp = root.get("logprobs");
    if (!chat && lp != null && !lp.isNull()) {
      logprobs = optionalInt(root, "logprobs");
      if (logprobs < 0 || logprobs > 5) {
        throw new ApiException.InvalidValue(
            "invalid_value", "'logprobs' must be in [0, 5], got " + logprobs);
      }
    }
    boolean stream = optionalBoolean(root, "stream");
    boolean includeUsage = false;
    JsonNode so = root.get("stream_options");
    if (so != null && !so.isNull()) {
      if (!so.isObject()) {
        throw new ApiException.BadRequest("wrong_type", "'stream_options' must be an object");
      }
      includeUsage = optionalBoolean(so, "include_usage");
    }
    return new CompletionRequest(
        model,
        prompt,
        messages,
        maxTokens,
        temperature,
        topP,
        topK == null ? 0 : topK,
        seed,
        stop(root.get("stop")),
        logprobs,
        stream,
        includeUsage,
        echo(root, logprobs),
        adjustments(root));
  }

  /**
   * Completions' {@code echo}; with logprobs it would need the prompt's log-probabilities, which
   * are not computed.
   */
  private static boolean echo(JsonNode root, Integer logprobs) {
    boolean echo = optionalBoolean(root, "echo");
    if (echo && logprobs != null) {
      throw new ApiException.InvalidValue(
          "unsupported_parameter",
          "'echo' with 'logprobs' is not supported: the prompt's "
              + "log-probabilities are not computed; drop one of them");
    }
    return echo;
  }

  /**
   * Chat: {@code logprobs: true} and {@code top_logprobs} (0–20 alternatives); null without
   * logprobs.
   */
  private static Integer chatLogprobs(JsonNode root) {
    boolean wanted = optionalBoolean(root, "logprobs");
    Integer top = optionalInt(root, "top_logprobs");
    if (top != null && !wanted) {
      throw new ApiException.InvalidValue("invalid_value", "'top_logprobs' needs 'logprobs': true");
    }
    if (top != null && (top < 0 || top > 20)) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'top_logprobs' must be in [0, 20], got " + top);
    }
    return wanted ? (top == null ? 0 : top) : null;
  }

  private static LogitAdjustments adjustments(JsonNode root) {
    double presence = optionalNumber(root, "presence_penalty", 0);
    double frequency = optionalNumber(root, "frequency_penalty", 0);
    if (!(Math.abs(presence) <= 2) || !(Math.abs(frequency) <= 2)) {
      throw new ApiException.InvalidValue(
          "invalid_value",
          "'presence_penalty' and 'frequency_penalty' must be in [-2, 2], got "
              + presence
              + " and "
              + frequency);
    }
    java.util.Map<Integer, Double> bias = new java.util.HashMap<>();
    JsonNode b = root.get("logit_bias");
    if (b != null && !b.isNull()) {
      if (!b.isObject()) {
        throw new ApiException.BadRequest(
            "wrong_type", "'logit_bias' must be an object of token id → bias");
      }
      for (java.util.Map.Entry<String, JsonNode> e : b.entries()) {
        int token;
        try {
          token = Integer.parseInt(e.getKey());
        } catch (NumberFormatException x) {
          throw new ApiException.InvalidValue(
              "invalid_value", "'logit_bias' keys must be token ids, got '" + e.getKey() + "'");
        }
        JsonNode v = e.getValue();
        if (!v.isNumber()) {
          throw new ApiException.BadRequest("wrong_type", "'logit_bias' values must be numbers");
        }
        if (token < 0 || !(Math.abs(v.getDoubleValue()) <= 100)) {
          throw new ApiException.InvalidValue(
              "invalid_value", "'logit_bias' needs token ids ≥ 0 and biases in [-100, 100]");
        }
        bias.put(token, v.getDoubleValue());
      }
    }
    return new LogitAdjustments(presence, frequency, bias);
  }

  private static String prompt(JsonNode p) {
    if (p == null || p.isNull()) {
      throw new ApiException.BadRequest("missing_field", "'prompt' is required: a string");
    }
    String text;
    if (p.isString()) {
      text = p.getStringValue();
    } else if (p.isArray() && p.size() == 1 && p.get(0).isString()) {
      text = p.get(0).getStringValue();
    } else if (p.isArray() && p.size() > 1) {
      throw new ApiException.InvalidValue(
          "unsupported_value", "'prompt' must be one string; send one request per prompt");
    } else {
      throw new ApiException.BadRequest(
          "wrong_type", "'prompt' must be a string (token-id prompts are not supported)");
    }
    if (text.isEmpty()) {
      throw new ApiException.InvalidValue("empty_prompt", "'prompt' must not be empty");
    }
    return text;
  }

  private static List<CompletionRequest.ChatMessage> messages(JsonNode m) {
    if (m == null || m.isNull()) {
      throw new ApiException.BadRequest(
          "missing_field", "'messages' is required: an array of {role, content}");
    }
    if (!m.isArray()) {
      throw new ApiException.BadRequest("wrong_type", "'messages' must be an array");
    }
    if (m.size() == 0) {
      throw new ApiException.InvalidValue(
          "empty_messages", "'messages' must contain at least one message");
    }
    List<CompletionRequest.ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < m.size(); i++) {
      JsonNode msg = m.get(i);
      if (!msg.isObject()) {
        throw new ApiException.BadRequest("wrong_type", "'messages[" + i + "]' must be an object");
      }
      JsonNode role = msg.get("role");
      if (role == null || !role.isString()) {
        throw new ApiException.BadRequest(
            "missing_field", "'messages[" + i + "].role' is required: a string");
      }
      if (!ROLES.contains(role.getStringValue())) {
        throw new ApiException.InvalidValue(
            "invalid_role",
            "'messages["
                + i
                + "].role' must be system, developer, user or assistant, got '"
                + role.getStringValue()
                + "'");
      }
      // developer is what newer OpenAI clients send for system instructions
      String turn = role.getStringValue().equals("developer") ? "system" : role.getStringValue();
      out.add(new CompletionRequest.ChatMessage(turn, content(msg.get("content"), i)));
    }
    if (out.stream().allMatch(x -> x.content().isBlank())) {
      throw new ApiException.InvalidValue("empty_messages", "every message is empty");
    }
    return out;
  }

  /**
   * A message's text: a string, or an array of {@code {"type": "text", "text": ...}} parts joined.
   */
  private static String content(JsonNode content, int i) {
    String where = "'messages[" + i + "].content'";
    if (content != null && content.isString()) {
      return content.getStringValue();
    }
    if (content == null || !content.isArray()) {
      throw new ApiException.BadRequest(
          "wrong_type", where + " must be a string or an array of text parts");
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content.values()) {
      JsonNode type = part.isObject() ? part.get("type") : null;
      if (type == null || !type.isString()) {
        throw new ApiException.BadRequest(
            "wrong_type", where + " parts must be objects with a 'type'");
      }
      if (!type.getStringValue().equals("text")) {
        throw new ApiException.InvalidValue(
            "unsupported_content",
            where
                + " has a '"
                + type.getStringValue()
                + "' part; these models read text parts only");
      }
      JsonNode t = part.get("text");
      if (t == null || !t.isString()) {
        throw new ApiException.BadRequest("wrong_type", where + " text parts need a 'text' string");
      }
      text.append(t.getStringValue());
    }
    return text.toString();
  }

  private static List<String> stop(JsonNode s) {
    if (s == null || s.isNull()) {
      return List.of();
    }
    if (s.isString()) {
      return s.getStringValue().isEmpty() ? List.of() : List.of(s.getStringValue());
    }
    if (!s.isArray()) {
      throw new ApiException.BadRequest(
          "wrong_type", "'stop' must be a string or an array of strings");
    }
    if (s.size() > 4) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'stop' has " + s.size() + " strings; at most 4 are allowed");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode x : s.values()) {
      if (!x.isString()) {
        throw new ApiException.BadRequest("wrong_type", "'stop' must contain only strings");
      }
      if (!x.getStringValue().isEmpty()) {
        out.add(x.getStringValue());
      }
    }
    return out;
  }

  private static String optionalString(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isString()) {
      throw new ApiException.BadRequest("wrong_type", "'" + field + "' must be a string");
    }
    return v.getStringValue();
  }

  private static double optionalNumber(JsonNode root, String field, double otherwise) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.isNumber()) {
      throw new ApiException.BadRequest("wrong_type", "'" + field + "' must be a number");
    }
    return v.getNumberValue().doubleValue();
  }

  private static Integer optionalInt(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()
        || v.getNumberValue().doubleValue() != Math.rint(v.getNumberValue().doubleValue())) {
      throw new ApiException.BadRequest("wrong_type", "'" + field + "' must be an integer");
    }
    if (Math.abs(v.getNumberValue().doubleValue()) > Integer.MAX_VALUE) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'" + field + "' is out of range: " + v.getNumberValue());
    }
    return v.getNumberValue().intValue();
  }

  private static boolean optionalBoolean(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ApiException.BadRequest("wrong_type", "'" + field + "' must be true or false");
    }
    return v.getBooleanValue();
  }
}
