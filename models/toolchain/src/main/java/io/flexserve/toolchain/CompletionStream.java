package io.flexserve.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Client side of a streamed {@code /v1/completions}: posts the body and hands each SSE chunk over
 * as it arrives.
 */
final class CompletionStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CompletionStream() {}

  /** Receives one parsed {@code data:} chunk and the {@link System#nanoTime} it was read at. */
  interface ChunkHandler {
    void chunk(JsonNode chunk, long nanos);
  }

  /**
   * Sends {@code body} (a completion request with {@code stream: true}) and reads the event stream
   * up to {@code [DONE]}.
   *
   * @return {@link System#nanoTime} when the request was sent
   * @throws IllegalStateException when the server does not answer 200
   */
  static long post(
      HttpClient client, URI base, String body, Map<String, String> headers, ChunkHandler handler)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve("/v1/completions"))
            .header("Content-Type", "application/json");
    headers.forEach(request::header);
    long sent = System.nanoTime();
    HttpResponse<InputStream> r =
        client.send(
            request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "status "
              + r.statusCode()
              + ": "
              + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.startsWith("data:")) {
          continue;
        }
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
          break;
        }
        handler.chunk(JSON.readTree(data), System.nanoTime());
      }
    }
    return sent;
  }
}
