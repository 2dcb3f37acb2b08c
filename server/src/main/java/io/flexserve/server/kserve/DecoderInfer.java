package io.flexserve.server.kserve;

import static io.flexserve.server.request.JsonFields.array;
import static io.flexserve.server.request.JsonFields.integer;
import static io.flexserve.server.request.JsonFields.number;

import io.flexserve.models.runtime.Sampler;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.generation.GenerationEvents;
import io.flexserve.server.generation.GenerationRequest;
import io.flexserve.server.generation.LogitAdjustments;
import io.flexserve.server.generation.ServedDecoder;
import io.flexserve.server.generation.WholeGeneration;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.EoraRankHeader;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.transport.ClientDisconnects;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Open Inference Protocol inference on a decoder: one generation per request, through the same
 * scheduler, router and routing headers as {@code /v1/completions}.
 *
 * <p>In: {@code text} BYTES {@code [1]} (tokenized with the model's tokenizer, BOS added) or {@code
 * input_ids} INT64 {@code [1, n]} (used as given). Parameters: {@code max_tokens}, {@code
 * temperature} (default 1), {@code top_p}, {@code top_k}, {@code seed}, {@code stop} (strings).
 * Out: {@code text_output} BYTES {@code [1]} and {@code output_ids} INT64 {@code [1, m]}; the
 * response parameters say the finish reason and sub-networks.
 */
@Singleton
final class DecoderInfer {
  private final JsonMapper json;
  private final FlexserveConfig config;
  private final ServerMetrics metrics;
  private final ClientDisconnects disconnects;

  DecoderInfer(
      JsonMapper json,
      FlexserveConfig config,
      ServerMetrics metrics,
      ClientDisconnects disconnects) {
    this.json = json;
    this.config = config;
    this.metrics = metrics;
    this.disconnects = disconnects;
  }

  CompletableFuture<MutableHttpResponse<byte[]>> infer(
      ServedDecoder model, HttpRequest<?> http, InferRequest request) {
    double arrival = RequestTags.arrivalMillis(http);
    RoutingHeaders headers = RoutingParameters.of(http.getHeaders(), request.parameters());
    long[] prompt = prompt(model, request);
    int context = model.decoder().config().maxPositions();
    JsonNode p = request.parameters();
    int maxTokens = integer(p, "max_tokens").orElse(context - prompt.length);
    if (prompt.length == 0
        || prompt.length >= context
        || maxTokens < 1
        || maxTokens > context - prompt.length) { // prompt + max would overflow
      throw new ApiException.BadRequest(
          "context_length_exceeded",
          "the prompt is "
              + prompt.length
              + " tokens and max_tokens "
              + maxTokens
              + "; "
              + model.name()
              + " has a context of "
              + context
              + " tokens (and max_tokens must be ≥ 1)");
    }
    double temperature = number(p, "temperature").orElse(1.0);
    double topP = number(p, "top_p").orElse(1.0);
    if (!(temperature >= 0 && temperature <= 2) || !(topP > 0 && topP <= 1)) {
      throw new ApiException.InvalidValue(
          "invalid_value", "temperature must be in [0, 2] and top_p in (0, 1]");
    }
    List<String> stop = new ArrayList<>();
    JsonNode stops = array(p, "stop");
    if (stops != null) {
      for (JsonNode s : stops.values()) {
        if (!s.isString() || s.getStringValue().isEmpty()) {
          throw new ApiException.BadRequest(
              "wrong_type", "parameter 'stop' must be an array of non-empty strings");
        }
        stop.add(s.getStringValue());
      }
    }
    java.util.OptionalInt seed = integer(p, "seed");
    GenerationRequest generation =
        GenerationRequest.routed(
            arrival,
            prompt,
            maxTokens,
            new Sampler.Params(
                temperature,
                topP,
                integer(p, "top_k").orElse(0),
                seed.isPresent() ? (long) seed.getAsInt() : null),
            stop,
            null,
            LogitAdjustments.NONE,
            headers,
            EoraRankHeader.from(
                http.getHeaders(), model.decoder().manifest().eoraRanks(), model.name()),
            config.timeoutMillis(headers.timeoutMillis()));
    return WholeGeneration.run(model, generation, "", http, disconnects, "/v2/models/{model}/infer")
        .thenApply(done -> response(model, request, done));
  }

  private MutableHttpResponse<byte[]> response(
      ServedDecoder model, InferRequest request, WholeGeneration.Result done) {
    GenerationEvents.Finish f = done.finish();
    long[] out = done.tokenIds();
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("finish_reason", f.reason());
    parameters.put("subnets", String.join(",", f.subnets()));
    parameters.put("prompt_tokens", f.promptTokens());
    parameters.put("completion_tokens", f.completionTokens());
    MutableHttpResponse<byte[]> response =
        InferResponse.of(
            json,
            model.name(),
            request,
            List.of(
                new InferResponse.Output("text_output", "BYTES", List.of(1L), List.of(done.text())),
                new InferResponse.Output(
                    "output_ids", "INT64", List.of(1L, (long) out.length), out)),
            parameters);
    response.header("X-Subnet", String.join(",", f.subnets()));
    if (f.deadlineMet() != null) {
      response.header("X-Deadline-Met", Boolean.toString(f.deadlineMet()));
    }
    if (!f.reason().equals("cancelled")) {
      metrics
          .requests
          .labels(model.name(), String.join(",", f.subnets()), "/v2/models/infer", "200")
          .inc();
    }
    return response;
  }

  /** The prompt: {@code input_ids} as given, or {@code text} tokenized. */
  private static long[] prompt(ServedDecoder model, InferRequest request) {
    for (String name : request.outputs().keySet()) {
      if (!name.equals("text_output") && !name.equals("output_ids")) {
        throw new ApiException.InvalidValue(
            "invalid_value", "unknown output '" + name + "'; outputs are text_output, output_ids");
      }
    }
    boolean hasIds = request.inputs().stream().anyMatch(t -> t.name().equals("input_ids"));
    if (hasIds) {
      InferRequest.Tensor ids = request.input("input_ids");
      if (ids.integers() == null || ids.shape().length != 2 || ids.shape()[0] != 1) {
        throw new ApiException.BadRequest(
            "invalid_request", "input 'input_ids' must be INT64 of shape [1, n]");
      }
      int vocab = model.decoder().config().vocabSize();
      for (long id : ids.integers()) {
        if (id < 0 || id >= vocab) {
          throw new ApiException.InvalidValue(
              "invalid_value", "token id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
      }
      return ids.integers();
    }
    InferRequest.Tensor text = request.input("text");
    if (!text.datatype().equals("BYTES") || text.bytes().size() != 1) {
      throw new ApiException.BadRequest(
          "invalid_request", "input 'text' must be BYTES of shape [1] (one prompt)");
    }
    return model.decoder().tokenizer().encode(text.texts().get(0));
  }
}
