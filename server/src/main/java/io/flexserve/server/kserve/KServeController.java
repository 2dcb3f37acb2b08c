package io.flexserve.server.kserve;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ModelState;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.encoder.ServedEncoder;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.generation.ServedDecoder;
import io.flexserve.server.vision.ServedVision;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The Open Inference Protocol (KServe v2) REST surface: server live / ready / metadata, and per
 * model its metadata, readiness and inference, each with or without {@code /versions/{version}}
 * (every model has the one version {@value #VERSION}). Inference goes to the model's kind: {@link
 * EncoderInfer}, {@link DecoderInfer} or {@link KServeVision}. Errors on these routes are the
 * protocol's {@code {"error": "<message>"}}.
 */
@Controller("/v2")
public final class KServeController {
  /** The one version every model has. */
  public static final String VERSION = "1";

  /**
   * Protocol extensions served: binary tensor data, and the routing headers and response parameters
   * of sub-networks.
   */
  static final List<String> EXTENSIONS = List.of("binary_tensor_data", "elastic_subnets");

  private final ModelCatalog catalog;
  private final JsonMapper json;
  private final EncoderInfer encoders;
  private final DecoderInfer decoders;
  private final KServeVision vision;

  public KServeController(
      ModelCatalog catalog,
      JsonMapper json,
      EncoderInfer encoders,
      DecoderInfer decoders,
      KServeVision vision) {
    this.catalog = catalog;
    this.json = json;
    this.encoders = encoders;
    this.decoders = decoders;
    this.vision = vision;
  }

  @Serdeable
  public record Live(boolean live) {}

  /**
   * @param failed_models models that failed to load and why (absent when none): with them the
   *     server is not ready unless {@code flexserve.ready-with-failed-models}
   */
  @Serdeable
  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
  public record Ready(boolean ready, java.util.Map<String, String> failed_models) {}

  @Serdeable
  public record ModelReady(String name, boolean ready) {}

  @Serdeable
  public record ServerMetadata(String name, String version, List<String> extensions) {}

  @Serdeable
  public record TensorMetadata(String name, String datatype, List<Long> shape) {}

  @Serdeable
  public record ModelMetadata(
      String name,
      List<String> versions,
      String platform,
      List<TensorMetadata> inputs,
      List<TensorMetadata> outputs,
      List<String> subnets) {}

  @Get("/health/live")
  public Live live() {
    return new Live(true);
  }

  @Get("/health/ready")
  public HttpResponse<Ready> ready() {
    boolean ready = catalog.serverReady();
    return HttpResponse.<Ready>status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .body(new Ready(ready, catalog.failures()));
  }

  @Get
  public ServerMetadata server() {
    return new ServerMetadata("flexserve", FlexServeVersion.VALUE, EXTENSIONS);
  }

  @Get("/models/{model}")
  public ModelMetadata model(String model) {
    return metadata(model);
  }

  @Get("/models/{model}/versions/{version}")
  public ModelMetadata modelVersion(String model, String version) {
    checkVersion(model, version);
    return metadata(model);
  }

  @Get("/models/{model}/ready")
  public HttpResponse<ModelReady> modelReady(String model) {
    ModelState state = catalog.state(model);
    if (state == null) {
      throw notFound(model);
    }
    boolean ready = state == ModelState.READY && !catalog.draining();
    return HttpResponse.<ModelReady>status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .body(new ModelReady(model, ready));
  }

  @Get("/models/{model}/versions/{version}/ready")
  public HttpResponse<ModelReady> modelVersionReady(String model, String version) {
    checkVersion(model, version);
    return modelReady(model);
  }

  @Post("/models/{model}/infer")
  @Consumes(MediaType.ALL)
  @ExecuteOn(TaskExecutors.BLOCKING)
  public CompletableFuture<MutableHttpResponse<byte[]>> infer(
      String model, HttpRequest<?> http, @Nullable @Body byte[] body) {
    ServedModel served = catalog.require(model);
    InferRequest request = InferRequest.parse(json, body, headerLength(http));
    if (served instanceof ServedEncoder) {
      return encoders.infer(model, http, request);
    }
    if (served instanceof ServedDecoder d) {
      return decoders.infer(d, http, request);
    }
    return vision.infer(
        model, http, request, RoutingParameters.of(http.getHeaders(), request.parameters()));
  }

  @Post("/models/{model}/versions/{version}/infer")
  @Consumes(MediaType.ALL)
  @ExecuteOn(TaskExecutors.BLOCKING)
  public CompletableFuture<MutableHttpResponse<byte[]>> inferVersion(
      String model, String version, HttpRequest<?> http, @Nullable @Body byte[] body) {
    checkVersion(model, version);
    return infer(model, http, body);
  }

  private ModelMetadata metadata(String model) {
    ServedModel served = catalog.require(model);
    if (served instanceof ServedEncoder m) {
      return new ModelMetadata(
          m.name(),
          List.of(VERSION),
          "onnxruntime_onnx",
          List.of(new TensorMetadata(EncoderInfer.INPUT, "BYTES", List.of(-1L))),
          List.of(
              new TensorMetadata(
                  EncoderInfer.OUTPUT,
                  "FP32",
                  List.of(-1L, (long) m.encoder().manifest().config().hidden()))),
          m.subnetNames());
    }
    if (served instanceof ServedVision v) {
      return new ModelMetadata(
          v.name(),
          List.of(VERSION),
          "onnxruntime_onnx",
          List.of(new TensorMetadata("image", "BYTES", List.of(1L))),
          List.of(
              new TensorMetadata("summary", "FP32", List.of(1L, -1L)),
              new TensorMetadata("features", "FP32", List.of(1L, -1L, -1L))),
          v.subnetNames());
    }
    ServedDecoder m = (ServedDecoder) served;
    return new ModelMetadata(
        m.name(),
        List.of(VERSION),
        "onnxruntime_onnx",
        List.of(
            new TensorMetadata("text", "BYTES", List.of(1L)),
            new TensorMetadata("input_ids", "INT64", List.of(1L, -1L))),
        List.of(
            new TensorMetadata("text_output", "BYTES", List.of(1L)),
            new TensorMetadata("output_ids", "INT64", List.of(1L, -1L))),
        m.subnetNames());
  }

  private void checkVersion(String model, String version) {
    if (catalog.state(model) == null) {
      throw notFound(model);
    }
    if (!VERSION.equals(version)) {
      throw new ApiException.NotFound(
          "version_not_found",
          "model '" + model + "' has version " + VERSION + " only, not '" + version + "'");
    }
  }

  private ApiException.NotFound notFound(String model) {
    return new ApiException.NotFound(
        "model_not_found",
        "model '" + model + "' does not exist; served models: " + catalog.names());
  }

  private static OptionalInt headerLength(HttpRequest<?> http) {
    String raw = http.getHeaders().get(InferRequest.HEADER_LENGTH);
    if (raw == null) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(raw.strip()));
    } catch (NumberFormatException e) {
      throw new ApiException.BadRequest(
          "invalid_header", InferRequest.HEADER_LENGTH + " must be an integer, got '" + raw + "'");
    }
  }
}
