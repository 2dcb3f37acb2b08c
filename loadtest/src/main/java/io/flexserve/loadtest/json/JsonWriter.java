package io.flexserve.loadtest.json;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A minimal streaming JSON writer into a string. It writes compact JSON (no whitespace), escapes
 * every string as RFC 8259 requires, writes non-finite numbers as {@code null}, and checks nesting
 * so a malformed document fails fast instead of being written.
 *
 * <p>Instances are mutable and not thread-safe; use one per document.
 */
public final class JsonWriter {
  /*
   * One frame per open container: whether it is an object, whether a value was already written (so the next needs a
   * comma), and, for objects, whether a name is waiting for its value.
   */
  private static final class Frame {
    final boolean object;
    boolean hasValue;
    boolean nameWritten;

    Frame(boolean object) {
      this.object = object;
    }
  }

  private final StringBuilder out = new StringBuilder();
  private final Deque<Frame> open = new ArrayDeque<>();
  private boolean rootWritten;

  /** Opens an object. */
  public JsonWriter beginObject() {
    beforeValue();
    out.append('{');
    open.push(new Frame(true));
    return this;
  }

  /** Closes the innermost object. */
  public JsonWriter endObject() {
    Frame frame = open.peek();
    if (frame == null || !frame.object || frame.nameWritten) {
      throw new IllegalStateException(
          "endObject without a matching beginObject, or after a dangling name");
    }
    open.pop();
    out.append('}');
    return this;
  }

  /** Opens an array. */
  public JsonWriter beginArray() {
    beforeValue();
    out.append('[');
    open.push(new Frame(false));
    return this;
  }

  /** Closes the innermost array. */
  public JsonWriter endArray() {
    Frame frame = open.peek();
    if (frame == null || frame.object) {
      throw new IllegalStateException("endArray without a matching beginArray");
    }
    open.pop();
    out.append(']');
    return this;
  }

  /** Writes a member name inside an object; the next call must write its value. */
  public JsonWriter name(String name) {
    Objects.requireNonNull(name, "name");
    Frame frame = open.peek();
    if (frame == null || !frame.object || frame.nameWritten) {
      throw new IllegalStateException(
          "name '" + name + "' outside an object or after another name");
    }
    if (frame.hasValue) {
      out.append(',');
    }
    appendQuoted(out, name);
    out.append(':');
    frame.nameWritten = true;
    return this;
  }

  /** Writes a string value. */
  public JsonWriter value(String value) {
    Objects.requireNonNull(value, "value");
    beforeValue();
    appendQuoted(out, value);
    return this;
  }

  /** Writes an integer value. */
  public JsonWriter value(long value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /**
   * Writes a number; NaN and infinities, which JSON cannot represent, are written as {@code null}.
   */
  public JsonWriter value(double value) {
    beforeValue();
    if (Double.isFinite(value)) {
      out.append(value);
    } else {
      out.append("null");
    }
    return this;
  }

  /** Writes a boolean value. */
  public JsonWriter value(boolean value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /** Writes {@code null}. */
  public JsonWriter nullValue() {
    beforeValue();
    out.append("null");
    return this;
  }

  /**
   * Returns the document.
   *
   * @throws IllegalStateException if a container is still open or nothing was written
   */
  public String toJson() {
    if (!open.isEmpty() || !rootWritten) {
      throw new IllegalStateException(
          "incomplete JSON document: " + open.size() + " container(s) still open");
    }
    return out.toString();
  }

  /** Returns {@code s} as a quoted, escaped JSON string literal. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    appendQuoted(sb, s);
    return sb.toString();
  }

  private void beforeValue() {
    Frame frame = open.peek();
    if (frame == null) {
      if (rootWritten) {
        throw new IllegalStateException("a JSON document has exactly one root value");
      }
      rootWritten = true;
      return;
    }
    if (frame.object) {
      if (!frame.nameWritten) {
        throw new IllegalStateException("a value inside an object needs a name first");
      }
      frame.nameWritten = false;
    } else if (frame.hasValue) {
      out.append(',');
    }
    frame.hasValue = true;
  }

  // RFC 8259 section 7: quote, reverse solidus and U+0000..U+001F must be escaped. U+2028/2029 are
  // escaped too so
  // the output is also safe to paste into JavaScript.
  private static void appendQuoted(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
