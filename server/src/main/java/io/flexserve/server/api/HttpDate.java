package io.flexserve.server.api;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The {@code Date} response header (RFC 9110 §6.6.1: an origin server with a clock sends it on
 * 2xx–4xx answers), formatted by Netty's {@link DateFormatter} once per second rather than per
 * answer.
 */
final class HttpDate {
  private record Stamp(long second, String text) {}

  private static volatile Stamp last = new Stamp(-1, "");

  private HttpDate() {}

  /** Now, as {@code Sat, 05 Dec 2026 11:40:00 GMT}. */
  static String now() {
    long second = System.currentTimeMillis() / 1000;
    Stamp stamp = last;
    if (stamp.second() != second) {
      stamp = new Stamp(second, DateFormatter.format(new Date(second * 1000)));
      last = stamp;
    }
    return stamp.text();
  }
}
