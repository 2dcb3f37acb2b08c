package io.flexserve.server.kserve;

import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.transport.ClientDisconnects;
import io.flexserve.server.vision.VisionController;
import io.flexserve.server.vision.VisionService;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;

/**
 * Open Inference Protocol inference on a vision model ({@link KServeInfer}); the protocol's
 * controller hands vision models here. Same routing headers as {@code /v1/vision/features}.
 */
@Singleton
public final class KServeVision {
  private final VisionService service;
  private final JsonMapper json;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;

  public KServeVision(
      VisionService service,
      JsonMapper json,
      ServerMetrics metrics,
      ClientDisconnects disconnects) {
    this.service = service;
    this.json = json;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  /**
   * @param headers the routing choices, from headers or the request's parameters
   */
  public CompletableFuture<MutableHttpResponse<byte[]>> infer(
      String model, HttpRequest<?> http, InferRequest infer, RoutingHeaders headers) {
    double arrivalMillis = RequestTags.arrivalMillis(http);
    KServeInfer.Request request = KServeInfer.of(infer);
    return disconnects
        .tie(
            http,
            "/v2/models/{model}/infer",
            service.features(arrivalMillis, model, request.image(), request.resolution(), headers))
        .thenApply(
            served -> {
              MutableHttpResponse<byte[]> response =
                  InferResponse.of(
                      json,
                      model,
                      infer,
                      KServeInfer.outputs(request, served),
                      KServeInfer.parameters(served));
              VisionController.RoutingResponseHeaders.apply(response, served);
              metrics
                  .requests
                  .labels(model, served.variant().name(), "/v2/models/infer", "200")
                  .inc();
              return response;
            });
  }
}
