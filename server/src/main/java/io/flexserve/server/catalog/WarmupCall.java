package io.flexserve.server.catalog;

import java.util.Map;
import java.util.function.IntFunction;

/**
 * One request {@link RequestPathWarmup} sends to a model through the server's own HTTP port, as a
 * client would: each kind names the requests that take its common paths (every sub-network, a
 * latency target, the refusals).
 *
 * @param path the path and query, e.g. {@code /v1/embeddings}
 * @param contentType the body's media type
 * @param headers extra request headers (routing choices)
 * @param body the body of the {@code i}-th send; a function so a kind with a result cache (vision)
 *     can send a different body each time
 * @param burst whether the warm-up may also send it in its overload bursts: a request cheap to
 *     refuse, with a latency target, so that admission refuses most of a burst and its 429 path is
 *     compiled before the first real overload
 */
public record WarmupCall(
    String path,
    String contentType,
    Map<String, String> headers,
    IntFunction<byte[]> body,
    boolean burst) {
  public WarmupCall {
    headers = Map.copyOf(headers);
  }

  /** A JSON request whose body is the same every time. */
  public static WarmupCall json(String path, String body, Map<String, String> headers) {
    return json(path, body, headers, false);
  }

  /** A JSON request whose body is the same every time, sent in bursts too when {@code burst}. */
  public static WarmupCall json(
      String path, String body, Map<String, String> headers, boolean burst) {
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new WarmupCall(path, "application/json", headers, i -> bytes, burst);
  }

  /**
   * {@code text} as a JSON string literal, quotes included (a model's name may hold any character).
   */
  public static String jsonString(String text) {
    return "\""
        + new String(
            com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text))
        + "\"";
  }
}
