package io.flexserve.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Limits on client connections, bound from {@code flexserve.connections.*} (environment {@code
 * FLEXSERVE_CONNECTIONS_*}). They bound what idle or slow clients can hold: a socket that never
 * completes its request head (slowloris) is closed after {@code headerTimeoutSeconds} (one that
 * trickles its body, after {@code bodyTimeoutSeconds}), and past {@code max} open connections a new
 * one is answered 503 and closed.
 *
 * @param max most open client connections; the next gets 503 {@code too_many_connections}
 * @param headerTimeoutSeconds longest a connection may take to send a complete request head
 *     (request line and headers), counted from when it opens or from the end of its previous
 *     response; also the keep-alive idle limit
 * @param bodyTimeoutSeconds longest a request body may take to arrive, from the end of its head
 */
@ConfigurationProperties("flexserve.connections")
public record ConnectionSettings(
    @Bindable(defaultValue = "1024") int max,
    @Bindable(defaultValue = "10") double headerTimeoutSeconds,
    @Bindable(defaultValue = "60") double bodyTimeoutSeconds) {
  public ConnectionSettings {
    if (max < 1
        || !(headerTimeoutSeconds > 0)
        || headerTimeoutSeconds > 3600
        || !(bodyTimeoutSeconds > 0)
        || bodyTimeoutSeconds > 3600) {
      throw new IllegalArgumentException(
          "flexserve.connections: max must be ≥ 1, header- and body-timeout-seconds in "
              + "(0, 3600]; got "
              + max
              + ", "
              + headerTimeoutSeconds
              + ", "
              + bodyTimeoutSeconds);
    }
  }
}
