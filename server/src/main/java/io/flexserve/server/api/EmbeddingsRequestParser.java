package io.flexserve.server.api;

import io.flexserve.server.encoder.EmbeddingsRequest;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.request.JsonBodies;
import io.flexserve.server.request.OpenAiParameters;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and validates an embeddings request body, with messages that name the bad value. Structure
 * errors (not UTF-8, not JSON, missing field, wrong JSON type) are 400; acceptable-shape-but-bad
 * values are 422; too many inputs is 413. Unknown fields are ignored, as OpenAI clients send extras
 * ({@code user}).
 */
@Singleton
public final class EmbeddingsRequestParser {
  private final JsonMapper json;

  public EmbeddingsRequestParser(JsonMapper json) {
    this.json = json;
  }

  public EmbeddingsRequest parse(byte[] body, int maxInputs) {
    JsonNode root = JsonBodies.parse(json, body);
    if (!root.isObject()) {
      throw new ApiException.BadRequest("invalid_json", "request body must be a JSON object");
    }
    OpenAiParameters.refuseUnsupported(root, OpenAiParameters.EMBEDDINGS);
    String model = "";
    JsonNode m = root.get("model");
    if (m != null && !m.isNull()) {
      if (!m.isString()) {
        throw new ApiException.BadRequest("wrong_type", "'model' must be a string");
      }
      model = m.getStringValue();
    }
    List<String> inputs = inputs(root.get("input"), maxInputs);
    boolean base64 = false;
    JsonNode f = root.get("encoding_format");
    if (f != null && !f.isNull()) {
      if (!f.isString()) {
        throw new ApiException.BadRequest("wrong_type", "'encoding_format' must be a string");
      }
      base64 =
          switch (f.getStringValue()) {
            case "float" -> false;
            case "base64" -> true;
            default ->
                throw new ApiException.InvalidValue(
                    "invalid_value",
                    "'encoding_format' must be 'float' or 'base64', got '"
                        + f.getStringValue()
                        + "'");
          };
    }
    return new EmbeddingsRequest(model, inputs, base64);
  }

  private static List<String> inputs(JsonNode input, int maxInputs) {
    if (input == null || input.isNull()) {
      throw new ApiException.BadRequest(
          "missing_field", "'input' is required: a string or an array of strings");
    }
    if (input.isString()) {
      return List.of(nonEmpty(input.getStringValue(), "'input'"));
    }
    if (!input.isArray()) {
      throw new ApiException.BadRequest(
          "wrong_type", "'input' must be a string or an array of strings");
    }
    if (input.size() == 0) {
      throw new ApiException.InvalidValue(
          "empty_input", "'input' must contain at least one string");
    }
    if (input.size() > maxInputs) {
      throw new ApiException.TooLarge(
          "too_many_inputs", "'input' has " + input.size() + " items; the limit is " + maxInputs);
    }
    List<String> out = new ArrayList<>(input.size());
    int i = 0;
    for (JsonNode item : input.values()) {
      if (!item.isString()) {
        throw new ApiException.BadRequest(
            "wrong_type",
            "'input["
                + i
                + "]' must be a string"
                + (item.isNumber() || item.isArray()
                    ? " (token-id inputs are not supported)"
                    : ""));
      }
      out.add(nonEmpty(item.getStringValue(), "'input[" + i + "]'"));
      i++;
    }
    return out;
  }

  private static String nonEmpty(String s, String what) {
    if (s.isBlank()) {
      throw new ApiException.InvalidValue("empty_input", what + " must not be empty");
    }
    return s;
  }
}
