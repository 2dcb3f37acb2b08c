package io.flexserve.loadtest.http;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP/1.1 request, fixed before the run.
 *
 * @param method {@code GET} or {@code POST} (any token is accepted)
 * @param uri absolute {@code http} URI; its path and query are sent, its host and port name the
 *     connection and the {@code Host} header
 * @param headers request headers in sending order; {@code Host} and {@code Content-Length} are
 *     added by the client and must not be given
 * @param body the body; empty for none. Not copied: callers share one array between requests (the
 *     vision images) and must not change it afterwards
 * @param timeout from the hand-over to the client until the whole answer has arrived; positive
 */
public record OutgoingRequest(
    String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
  public OutgoingRequest {
    Objects.requireNonNull(body, "body");
    if (method.isBlank()) {
      throw new IllegalArgumentException("method must not be blank");
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("need an absolute http URI, got " + uri);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    for (String name : headers.keySet()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("host") || lower.equals("content-length")) {
        throw new IllegalArgumentException("the client sets " + name + " itself");
      }
    }
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A POST of {@code body}. */
  public static OutgoingRequest post(
      URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
    return new OutgoingRequest("POST", uri, headers, body, timeout);
  }

  /** The value of header {@code name} (case-insensitive), if set. */
  public Optional<String> header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /** The port the connection goes to: the URI's, else 80. */
  public int port() {
    return uri.getPort() < 0 ? 80 : uri.getPort();
  }
}
