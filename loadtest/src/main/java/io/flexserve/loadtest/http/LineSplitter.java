package io.flexserve.loadtest.http;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a body into lines at {@code \n} as its bytes arrive, so each line is stamped with the
 * arrival of its last byte. A line may span chunks; a trailing {@code \r} is dropped. Not
 * thread-safe: one per connection, on the event loop.
 */
final class LineSplitter {
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  void reset() {
    partial.reset();
  }

  /** Hands every line that {@code bytes} completes to {@code exchange}; keeps the rest. */
  void feed(ByteBuf bytes, long nanos, Exchange exchange) {
    int from = bytes.readerIndex();
    int end = bytes.writerIndex();
    while (from < end) {
      int nl = bytes.indexOf(from, end, (byte) '\n');
      if (nl < 0) {
        append(bytes, from, end - from);
        return;
      }
      String line;
      if (partial.size() == 0) {
        line = bytes.toString(from, nl - from, StandardCharsets.UTF_8);
      } else {
        append(bytes, from, nl - from);
        line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
      }
      exchange.line(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line, nanos);
      from = nl + 1;
    }
  }

  private void append(ByteBuf bytes, int from, int length) {
    byte[] copy = new byte[length];
    bytes.getBytes(from, copy);
    partial.write(copy, 0, length);
  }

  /** Hands over a last line that had no line end. */
  void flush(long nanos, Exchange exchange) {
    if (partial.size() > 0) {
      String line = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      exchange.line(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line, nanos);
    }
  }
}
