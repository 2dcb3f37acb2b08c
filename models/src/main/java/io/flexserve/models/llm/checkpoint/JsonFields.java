package io.flexserve.models.llm.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Typed reads of one JSON object's fields, failing with a {@link CheckpointException} that names
 * the source file and the field (with its path prefix, e.g. {@code rope_scaling.factor}). JSON
 * {@code null} counts as absent, as in transformers, where {@code "head_dim": null} means "use the
 * default".
 */
public final class JsonFields {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final JsonNode node;
  private final String source;
  private final String prefix;

  JsonFields(JsonNode node, String source, String prefix) {
    this.node = node;
    this.source = source;
    this.prefix = prefix;
  }

  /** Parses {@code json} and requires a top-level object. */
  static JsonNode parseObject(String json, String source) throws CheckpointException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw malformed(source, e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(source + ": expected a JSON object at top level");
    }
    return root;
  }

  static CheckpointException malformed(String source, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
    return new CheckpointException(
        source + ": malformed JSON" + where + ": " + e.getOriginalMessage(), e);
  }

  /** The key is there, even with value null. */
  boolean hasKey(String field) {
    return node.has(field);
  }

  boolean present(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  JsonNode get(String field) {
    return present(field) ? node.get(field) : null;
  }

  String name(String field) {
    return prefix + field;
  }

  CheckpointException error(String message) {
    return new CheckpointException(source + ": " + message);
  }

  CheckpointException missing(String field) {
    return error("missing field " + name(field));
  }

  CheckpointException wrongType(String field, String expected) {
    return error("field " + name(field) + " must be " + expected + ", got " + node.get(field));
  }

  int requiredInt(String field) throws CheckpointException {
    if (!present(field)) {
      throw missing(field);
    }
    return intValue(field);
  }

  int optionalInt(String field, int absent) throws CheckpointException {
    return present(field) ? intValue(field) : absent;
  }

  private int intValue(String field) throws CheckpointException {
    JsonNode v = node.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw wrongType(field, "an integer");
    }
    return v.intValue();
  }

  double requiredDouble(String field) throws CheckpointException {
    if (!present(field)) {
      throw missing(field);
    }
    return doubleValue(field);
  }

  double optionalDouble(String field, double absent) throws CheckpointException {
    return present(field) ? doubleValue(field) : absent;
  }

  private double doubleValue(String field) throws CheckpointException {
    JsonNode v = node.get(field);
    if (!v.isNumber()) {
      throw wrongType(field, "a number");
    }
    return v.doubleValue();
  }

  boolean optionalBoolean(String field, boolean absent) throws CheckpointException {
    if (!present(field)) {
      return absent;
    }
    JsonNode v = node.get(field);
    if (!v.isBoolean()) {
      throw wrongType(field, "true or false");
    }
    return v.booleanValue();
  }

  String requiredString(String field) throws CheckpointException {
    if (!present(field)) {
      throw missing(field);
    }
    return optionalString(field);
  }

  String optionalString(String field) throws CheckpointException {
    if (!present(field)) {
      return null;
    }
    JsonNode v = node.get(field);
    if (!v.isTextual()) {
      throw wrongType(field, "a string");
    }
    return v.textValue();
  }
}
