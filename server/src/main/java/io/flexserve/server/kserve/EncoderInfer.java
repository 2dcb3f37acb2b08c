package io.flexserve.server.kserve;

import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.encoder.EmbeddingService;
import io.flexserve.server.encoder.EmbeddingsRequest;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.transport.ClientDisconnects;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Open Inference Protocol inference on a text encoder: {@code text} BYTES {@code [n]} in (UTF-8
 * sentences), {@code sentence_embedding} FP32 {@code [n, d]} out, L2-normalised as on {@code
 * /v1/embeddings}, through the same service, limits and routing headers.
 */
@Singleton
final class EncoderInfer {
  static final String INPUT = "text";
  static final String OUTPUT = "sentence_embedding";
  private final EmbeddingService service;
  private final JsonMapper json;
  private final FlexserveConfig config;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;

  EncoderInfer(
      EmbeddingService service,
      JsonMapper json,
      FlexserveConfig config,
      ServerMetrics metrics,
      ClientDisconnects disconnects) {
    this.service = service;
    this.json = json;
    this.config = config;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  CompletableFuture<MutableHttpResponse<byte[]>> infer(
      String model, HttpRequest<?> http, InferRequest request) {
    double arrivalMillis = RequestTags.arrivalMillis(http);
    RoutingHeaders headers = RoutingParameters.of(http.getHeaders(), request.parameters());
    InferRequest.Tensor text = request.input(INPUT);
    if (!text.datatype().equals("BYTES") || text.shape().length != 1) {
      throw new ApiException.BadRequest(
          "invalid_request",
          "input 'text' must be BYTES of shape [n], got "
              + text.datatype()
              + " "
              + java.util.Arrays.toString(text.shape()));
    }
    List<String> inputs = text.texts();
    if (inputs.isEmpty() || inputs.stream().anyMatch(String::isBlank)) {
      throw new ApiException.InvalidValue(
          "empty_input", "input 'text' must hold at least one non-blank string");
    }
    if (inputs.size() > config.maxInputs()) {
      throw new ApiException.TooLarge(
          "too_many_inputs",
          "input 'text' has " + inputs.size() + " strings; the limit is " + config.maxInputs());
    }
    for (String name : request.outputs().keySet()) {
      if (!name.equals(OUTPUT)) {
        throw new ApiException.InvalidValue(
            "invalid_value", "unknown output '" + name + "'; the output is " + OUTPUT);
      }
    }
    return disconnects
        .tie(
            http,
            "/v2/models/{model}/infer",
            service.embed(
                arrivalMillis, model, new EmbeddingsRequest(model, inputs, false), headers))
        .thenApply(
            served -> {
              float[][] rows = served.result().embeddings();
              int d = rows.length == 0 ? 0 : rows[0].length;
              float[] flat = new float[rows.length * d];
              for (int i = 0; i < rows.length; i++) {
                System.arraycopy(rows[i], 0, flat, i * d, d);
              }
              MutableHttpResponse<byte[]> response =
                  InferResponse.of(
                      json,
                      served.model(),
                      request,
                      List.of(
                          new InferResponse.Output(
                              OUTPUT, "FP32", List.of((long) rows.length, (long) d), flat)),
                      Map.of("subnet", served.result().subnet()));
              served.writeHeaders(response); // as on /v1/embeddings
              metrics
                  .requests
                  .labels(served.model(), served.result().subnet(), "/v2/models/infer", "200")
                  .inc();
              return response;
            });
  }
}
