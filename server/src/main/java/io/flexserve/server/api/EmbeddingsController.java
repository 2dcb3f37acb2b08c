package io.flexserve.server.api;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.encoder.EmbeddingService;
import io.flexserve.server.encoder.EmbeddingsRequest;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.transport.ClientDisconnects;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * {@code POST /v1/embeddings} (OpenAI), for the requests {@link EmbeddingsFastPath} leaves to
 * Micronaut (a larger or chunked body, a query string, HTTP/1.0, ...), with the same answers.
 * Response headers report the routing: {@code X-Subnet}, {@code X-Queue-Ms}, {@code
 * X-Inference-Ms}, {@code X-Predicted-Ms} (of the run it was part of), {@code X-Batch-Size}
 * (requests in that run), and {@code X-Deadline-Met} when the request had a latency target.
 */
@Controller
public final class EmbeddingsController {
  private final EmbeddingsRequestParser parser;
  private final EmbeddingService service;
  private final ModelCatalog catalog;
  private final FlexserveConfig config;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;
  private final ExecutorService blocking;

  public EmbeddingsController(
      EmbeddingsRequestParser parser,
      EmbeddingService service,
      ModelCatalog catalog,
      FlexserveConfig config,
      ServerMetrics metrics,
      ClientDisconnects disconnects,
      @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
    this.blocking = blocking;
    this.parser = parser;
    this.service = service;
    this.catalog = catalog;
    this.config = config;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  /**
   * Bodies up to this size are parsed, tokenized and admitted on the event loop that read them:
   * tens of microseconds for a few sentences, and a request refused at admission gets its 429 with
   * no hand-off to another thread. Larger bodies (up to the body limit) are parsed on the blocking
   * pool, so a long tokenization never holds the event loop.
   */
  static final int INLINE_BODY_BYTES = 4096;

  @Post("/v1/embeddings")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  public CompletableFuture<MutableHttpResponse<EmbeddingsResponse>> embeddings(
      HttpRequest<?> http, @Body byte[] body) {
    if (body.length <= INLINE_BODY_BYTES) {
      return embed(http, body);
    }
    return CompletableFuture.supplyAsync(() -> embed(http, body), blocking)
        .thenCompose(response -> response);
  }

  private CompletableFuture<MutableHttpResponse<EmbeddingsResponse>> embed(
      HttpRequest<?> http, byte[] body) {
    double arrivalMillis = RequestTags.arrivalMillis(http);
    RoutingHeaders headers = RoutingHeaders.from(http.getHeaders());
    EmbeddingsRequest request = parser.parse(body, config.maxInputs());
    String model = request.model().isEmpty() ? catalog.defaultModelName() : request.model();
    return disconnects
        .tie(http, "/v1/embeddings", service.embed(arrivalMillis, model, request, headers))
        .thenApply(
            served -> {
              MutableHttpResponse<EmbeddingsResponse> response =
                  HttpResponse.ok(
                      EmbeddingsResponse.of(
                          served.model(),
                          served.result().embeddings(),
                          request.base64(),
                          served.promptTokens()));
              served.writeHeaders(response);
              metrics
                  .requests
                  .labels(served.model(), served.result().subnet(), "/v1/embeddings", "200")
                  .inc();
              return response;
            });
  }
}
