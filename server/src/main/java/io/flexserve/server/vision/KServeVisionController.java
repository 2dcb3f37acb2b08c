package io.flexserve.server.vision;

import io.flexserve.server.api.RoutingHeaders;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.metrics.ServerMetrics;
import io.micronaut.core.annotation.Nullable;
import io.flexserve.server.errors.RequestTags;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.flexserve.server.transport.ClientDisconnects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v2/models/{model}/infer} (KServe v2 / Open Inference Protocol) for vision models, JSON or with the
 * binary tensor data extension ({@link KServeInfer}). Same routing headers as {@code /v1/vision/features}.
 */
@Controller("/v2")
public final class KServeVisionController {
  private final VisionService service;
  private final JsonMapper json;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;

  public KServeVisionController(VisionService service, JsonMapper json, ServerMetrics metrics, ClientDisconnects disconnects) {
    this.service = service;
    this.json = json;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  @Post("/models/{model}/infer")
  @Consumes(MediaType.ALL)
  @ExecuteOn(TaskExecutors.BLOCKING)
  public CompletableFuture<MutableHttpResponse<byte[]>> infer(String model, HttpRequest<?> http, @Nullable @Body byte[] body) {
    double arrivalMillis = RequestTags.arrivalMillis(http);
    RoutingHeaders headers = RoutingHeaders.from(http.getHeaders());
    OptionalInt headerLength = OptionalInt.empty();
    String raw = http.getHeaders().get(KServeInfer.HEADER_LENGTH);
    if (raw != null) {
      try {
        headerLength = OptionalInt.of(Integer.parseInt(raw.strip()));
      } catch (NumberFormatException e) {
        throw new ApiException.BadRequest("invalid_header", KServeInfer.HEADER_LENGTH + " must be an integer, got '" + raw + "'");
      }
    }
    KServeInfer.Request request = KServeInfer.parse(json, body, headerLength);
    return disconnects.tie(http, "/v2/models/{model}/infer",
        service.features(arrivalMillis, model, request.image(), request.resolution(), headers)).thenApply(served -> {
      KServeInfer.Response encoded = KServeInfer.encode(json, model, request, served);
      MutableHttpResponse<byte[]> response = HttpResponse.ok(encoded.body());
      if (encoded.headerLength().isPresent()) {
        response.contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE)
            .header(KServeInfer.HEADER_LENGTH, Integer.toString(encoded.headerLength().getAsInt()));
      } else {
        response.contentType(MediaType.APPLICATION_JSON_TYPE);
      }
      VisionController.RoutingResponseHeaders.apply(response, served);
      metrics.requests.labels(model, served.variant().name(), "/v2/models/infer", "200").inc();
      return response;
    });
  }
}
