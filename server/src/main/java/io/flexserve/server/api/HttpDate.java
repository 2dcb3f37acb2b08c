package io.flexserve.server.api;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} response header (RFC 9110 §6.6.1: an origin server with a clock sends it on
 * 2xx–4xx answers), formatted once per second rather than per answer.
 */
final class HttpDate {
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

  private record Stamp(long second, String text) {}

  private static volatile Stamp last = new Stamp(-1, "");

  private HttpDate() {}

  /** Now, as {@code Sat, 05 Dec 2026 11:40:00 GMT}. */
  static String now() {
    long second = System.currentTimeMillis() / 1000;
    Stamp stamp = last;
    if (stamp.second() != second) {
      String text =
          IMF_FIXDATE.format(
              ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(second), ZoneOffset.UTC));
      stamp = new Stamp(second, text);
      last = stamp;
    }
    return stamp.text();
  }
}
