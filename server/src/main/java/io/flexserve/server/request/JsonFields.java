package io.flexserve.server.request;

import io.flexserve.server.errors.ApiException;
import io.micronaut.json.tree.JsonNode;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Typed fields of a parsed JSON body: absent is empty; present with the wrong JSON type (null
 * included) is a 400 {@code wrong_type} naming the field.
 */
public final class JsonFields {
  private JsonFields() {}

  public static JsonNode object(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isObject()) {
      throw wrongType(field, "an object", v);
    }
    return v;
  }

  public static JsonNode array(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isArray()) {
      throw wrongType(field, "an array", v);
    }
    return v;
  }

  public static String string(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isString()) {
      throw wrongType(field, "a string", v);
    }
    return v == null ? null : v.getStringValue();
  }

  public static OptionalInt integer(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null) {
      return OptionalInt.empty();
    }
    if (!isInteger(v) || v.getLongValue() != v.getIntValue()) {
      throw wrongType(field, "an integer", v);
    }
    return OptionalInt.of(v.getIntValue());
  }

  public static java.util.OptionalDouble number(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null) {
      return java.util.OptionalDouble.empty();
    }
    if (!v.isNumber()) {
      throw wrongType(field, "a number", v);
    }
    return java.util.OptionalDouble.of(v.getDoubleValue());
  }

  public static Optional<Boolean> bool(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isBoolean()) {
      throw wrongType(field, "true or false", v);
    }
    return v == null ? Optional.empty() : Optional.of(v.getBooleanValue());
  }

  /** Whether {@code v} is a JSON integer (no fraction, no exponent). */
  public static boolean isInteger(JsonNode v) {
    return v.isNumber()
        && (v.getNumberValue() instanceof Integer || v.getNumberValue() instanceof Long);
  }

  public static ApiException.BadRequest wrongType(String field, String expected, JsonNode got) {
    String kind =
        got.isNull()
            ? "null"
            : got.isString()
                ? "a string"
                : got.isBoolean()
                    ? "a boolean"
                    : got.isArray() ? "an array" : got.isObject() ? "an object" : "a number";
    return new ApiException.BadRequest(
        "wrong_type", "'" + field + "' must be " + expected + ", got " + kind);
  }
}
