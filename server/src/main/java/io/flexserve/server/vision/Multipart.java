package io.flexserve.server.vision;

import io.flexserve.server.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its named parts. The body is already
 * bounded by the HTTP size limit, so parsing works on the bytes in memory; part bodies are copied
 * once.
 */
final class Multipart {
  private Multipart() {}

  /** Parts by form-field name, in body order; a part's bytes exactly as sent. */
  static Map<String, byte[]> parse(byte[] body, String contentType) {
    String boundary = null;
    for (String param : contentType.split(";")) {
      String p = param.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        boundary = p.substring("boundary=".length()).replace("\"", "");
      }
    }
    if (boundary == null || boundary.isEmpty()) {
      throw new ApiException.BadRequest(
          "invalid_multipart", "multipart/form-data without a boundary parameter");
    }
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    Map<String, byte[]> parts = new LinkedHashMap<>();
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw new ApiException.BadRequest(
          "invalid_multipart", "multipart body has no '--" + boundary + "' delimiter");
    }
    while (true) {
      int start = at + delimiter.length;
      if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
        return parts; // closing delimiter
      }
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
      int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), start);
      if (headersEnd < 0 || next < 0 || headersEnd > next) {
        throw new ApiException.BadRequest(
            "invalid_multipart", "multipart body is truncated or malformed");
      }
      String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
      String name = fieldName(headers);
      byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
      if (name != null) {
        parts.putIfAbsent(name, content);
      }
      at = next + 2;
    }
  }

  private static String fieldName(String headers) {
    for (String line : headers.split("\r\n")) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
        continue;
      }
      for (String param : line.split(";")) {
        String p = param.strip();
        if (p.startsWith("name=")) {
          return p.substring(5).replace("\"", "");
        }
      }
    }
    return null;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
