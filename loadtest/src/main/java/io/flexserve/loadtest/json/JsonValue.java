package io.flexserve.loadtest.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed JSON value: one of six record types, as {@link JsonParser#parse} returns them. Accessors
 * that expect a particular type fail with an {@link IllegalArgumentException} that names the
 * member, so a malformed input file produces a message a user can act on.
 */
public sealed interface JsonValue
    permits JsonValue.Obj,
        JsonValue.Arr,
        JsonValue.Str,
        JsonValue.Num,
        JsonValue.Bool,
        JsonValue.Null {

  /** Short name of this value's JSON type, for error messages. */
  String typeName();

  /** An object; members keep their order; a repeated name keeps its last value. */
  record Obj(Map<String, JsonValue> members) implements JsonValue {
    public Obj {
      members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    @Override
    public String typeName() {
      return "object";
    }

    /**
     * The member, or empty when absent. A JSON {@code null} member is present and is {@link Null}.
     */
    public Optional<JsonValue> find(String name) {
      return Optional.ofNullable(members.get(name));
    }

    /** The member; fails naming it when absent. */
    public JsonValue get(String name) {
      JsonValue v = members.get(name);
      if (v == null) {
        throw new IllegalArgumentException("missing member '" + name + "'");
      }
      return v;
    }

    /** A member that must be an object. */
    public Obj object(String name) {
      return as(name, Obj.class, "an object");
    }

    /** A member that must be an array. */
    public Arr array(String name) {
      return as(name, Arr.class, "an array");
    }

    /** A member that must be a string. */
    public String string(String name) {
      return as(name, Str.class, "a string").value();
    }

    /** A member that must be a number, or {@code null} (read as NaN). */
    public double number(String name) {
      JsonValue v = get(name);
      if (v instanceof Null) {
        return Double.NaN;
      }
      return as(name, Num.class, "a number or null").value();
    }

    /** A member that must be a whole number. */
    public long integer(String name) {
      double v = as(name, Num.class, "a number").value();
      if (v != Math.rint(v) || Math.abs(v) > (1L << 53)) {
        throw new IllegalArgumentException(
            "member '" + name + "' must be a whole number, got " + v);
      }
      return (long) v;
    }

    private <T extends JsonValue> T as(String name, Class<T> type, String expected) {
      JsonValue v = get(name);
      if (!type.isInstance(v)) {
        throw new IllegalArgumentException(
            "member '" + name + "' must be " + expected + ", got " + v.typeName());
      }
      return type.cast(v);
    }
  }

  /** An array. */
  record Arr(List<JsonValue> elements) implements JsonValue {
    public Arr {
      elements = List.copyOf(elements);
    }

    @Override
    public String typeName() {
      return "array";
    }
  }

  /** A string. */
  record Str(String value) implements JsonValue {
    public Str {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String typeName() {
      return "string";
    }
  }

  /** A number; JSON numbers are read as doubles, exact for whole numbers up to 2^53. */
  record Num(double value) implements JsonValue {
    @Override
    public String typeName() {
      return "number";
    }
  }

  /** {@code true} or {@code false}. */
  record Bool(boolean value) implements JsonValue {
    @Override
    public String typeName() {
      return "boolean";
    }
  }

  /** {@code null}. */
  record Null() implements JsonValue {
    @Override
    public String typeName() {
      return "null";
    }
  }
}
