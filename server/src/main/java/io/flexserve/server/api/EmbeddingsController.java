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
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/embeddings} (OpenAI). Response headers report the routing: {@code X-Subnet},
 * {@code X-Queue-Ms}, {@code X-Inference-Ms}, {@code X-Predicted-Ms} (of the run it was part of),
 * {@code X-Batch-Size} (requests in that run), and {@code X-Deadline-Met} when the request had a
 * latency target.
 */
@Controller
public final class EmbeddingsController {
  private final EmbeddingsRequestParser parser;
  private final EmbeddingService service;
  private final ModelCatalog catalog;
  private final FlexserveConfig config;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;

  public EmbeddingsController(
      EmbeddingsRequestParser parser,
      EmbeddingService service,
      ModelCatalog catalog,
      FlexserveConfig config,
      ServerMetrics metrics,
      ClientDisconnects disconnects) {
    this.parser = parser;
    this.service = service;
    this.catalog = catalog;
    this.config = config;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  // Parsing and tokenizing run on the blocking pool, never on the event loop; inference runs on the
  // scheduler.
  @Post("/v1/embeddings")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @ExecuteOn(TaskExecutors.BLOCKING)
  public CompletableFuture<MutableHttpResponse<EmbeddingsResponse>> embeddings(
      HttpRequest<?> http, @Body byte[] body) {
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
