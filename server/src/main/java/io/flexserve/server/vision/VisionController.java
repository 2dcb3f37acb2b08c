package io.flexserve.server.vision;

import io.flexserve.models.vision.VisionOutput;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.MillisHeader;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.transport.ClientDisconnects;
import io.micronaut.core.annotation.Nullable;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/vision/features}: an image in (multipart, raw bytes or base64 JSON, see {@link
 * VisionRequestParser}), the summary vector and spatial features out. Response headers as for
 * embeddings ({@code X-Subnet}, {@code X-Queue-Ms}, {@code X-Inference-Ms}, {@code X-Predicted-Ms},
 * {@code X-Batch-Size}, {@code X-Deadline-Met}) plus {@code X-Resolution} and {@code X-Cache}
 * ({@code hit} / {@code miss}).
 */
@Controller
public final class VisionController {
  private final VisionRequestParser parser;
  private final VisionService service;
  private final ModelCatalog catalog;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;

  public VisionController(
      VisionRequestParser parser,
      VisionService service,
      ModelCatalog catalog,
      ServerMetrics metrics,
      ClientDisconnects disconnects) {
    this.parser = parser;
    this.service = service;
    this.catalog = catalog;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  // Decoding and resizing run on the blocking pool, never on the event loop; inference runs on the
  // scheduler.
  @Post("/v1/vision/features")
  @Consumes(MediaType.ALL)
  @ExecuteOn(TaskExecutors.BLOCKING)
  public CompletableFuture<MutableHttpResponse<VisionResponse>> features(
      HttpRequest<?> http, @Nullable @Body byte[] body) {
    double arrivalMillis = RequestTags.arrivalMillis(http);
    RoutingHeaders headers = RoutingHeaders.from(http.getHeaders());
    VisionRequest request = parser.parse(http, body);
    String model = request.model().orElseGet(catalog::defaultModelName);
    return disconnects
        .tie(
            http,
            "/v1/vision/features",
            service.features(arrivalMillis, model, request.image(), request.resolution(), headers))
        .thenApply(
            served -> {
              ImageFeatures f = served.features();
              VisionResponse.Features features = null;
              if (request.features()) {
                int g = f.grid();
                int h = f.hidden();
                features =
                    request.format() == VisionRequest.FeatureFormat.NCHW
                        ? new VisionResponse.Features(
                            "nchw",
                            List.of(h, g, g),
                            VisionOutput.toChannelsFirst(f.features(), g, h))
                        : new VisionResponse.Features("nlc", List.of(g * g, h), f.features());
              }
              MutableHttpResponse<VisionResponse> response =
                  HttpResponse.ok(
                      new VisionResponse(
                          "vision.features",
                          served.model(),
                          served.variant().subnet(),
                          served.variant().resolution(),
                          request.summary() ? f.summary() : null,
                          features));
              RoutingResponseHeaders.apply(response, served);
              metrics
                  .requests
                  .labels(served.model(), served.variant().name(), "/v1/vision/features", "200")
                  .inc();
              return response;
            });
  }

  /** The routing headers every vision response carries. */
  public static final class RoutingResponseHeaders {
    private RoutingResponseHeaders() {}

    public static void apply(MutableHttpResponse<?> response, VisionService.Served served) {
      response
          .header("X-Subnet", served.variant().subnet())
          .header("X-Resolution", Integer.toString(served.variant().resolution()))
          .header("X-Queue-Ms", MillisHeader.format(served.queueMillis()))
          .header("X-Inference-Ms", MillisHeader.format(served.inferenceMillis()))
          .header("X-Predicted-Ms", MillisHeader.format(served.predictedMillis()))
          .header("X-Batch-Size", Integer.toString(served.batchRequests()))
          .header("X-Cache", served.cacheHit() ? "hit" : "miss");
      served
          .deadlineMet()
          .ifPresent(met -> response.header("X-Deadline-Met", Boolean.toString(met)));
    }
  }
}
