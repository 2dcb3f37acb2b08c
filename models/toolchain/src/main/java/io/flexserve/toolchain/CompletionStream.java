package io.flexserve.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.sse.SseClient;
import io.micronaut.http.sse.Event;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * Client side of a streamed {@code /v1/completions}, on Micronaut's SSE client: posts the body and
 * hands each chunk over as it arrives. Thread-safe; one per server, for the benchmark's JVM.
 */
final class CompletionStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SseClient sse;

  CompletionStream(URI base) {
    try {
      this.sse = SseClient.create(base.toURL());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(base.toString(), e);
    }
  }

  /** Receives one parsed {@code data:} chunk and the {@link System#nanoTime} it was read at. */
  interface ChunkHandler {
    void chunk(JsonNode chunk, long nanos);
  }

  /**
   * Sends {@code body} (a completion request with {@code stream: true}) and reads the event stream
   * up to {@code [DONE]}.
   *
   * @return {@link System#nanoTime} when the request was sent
   * @throws io.micronaut.http.client.exceptions.HttpClientResponseException when the server does
   *     not answer 200
   */
  long post(String body, Map<String, String> headers, ChunkHandler handler) {
    MutableHttpRequest<String> request =
        HttpRequest.POST("/v1/completions", body).contentType(MediaType.APPLICATION_JSON_TYPE);
    headers.forEach(request::header);
    long sent = System.nanoTime();
    Flux.from(sse.eventStream(request, String.class))
        .map(Event::getData)
        .takeWhile(data -> !data.strip().equals("[DONE]"))
        .doOnNext(data -> handler.chunk(parse(data), System.nanoTime()))
        .blockLast();
    return sent;
  }

  private static JsonNode parse(String data) {
    try {
      return JSON.readTree(data);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
