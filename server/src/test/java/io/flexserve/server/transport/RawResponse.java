package io.flexserve.server.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 response read off a socket: its status, headers (names lower-cased) and a
 * Content-Length or chunked body. For tests that speak HTTP by hand (pipelining, connection
 * limits).
 */
public record RawResponse(int status, Map<String, String> headers, String body) {
  public static RawResponse read(InputStream in) throws IOException {
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int n = Integer.parseInt(line(in).strip(), 16);
          n > 0;
          n = Integer.parseInt(line(in).strip(), 16)) {
        body.write(in.readNBytes(n));
        line(in);
      }
      line(in);
    }
    return new RawResponse(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-response after '" + s + "'");
      }
      if (c != '\r') {
        s.append((char) c);
      }
    }
    return s.toString();
  }
}
