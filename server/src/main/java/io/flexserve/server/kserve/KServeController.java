package io.flexserve.server.api;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ModelState;
import io.flexserve.server.catalog.ServedDecoder;
import io.flexserve.server.catalog.ServedEncoder;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.catalog.ServedVision;
import io.flexserve.server.errors.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * KServe v2 (Open Inference Protocol) health and model metadata. Liveness is true while the process serves HTTP;
 * server readiness once every model finished loading and at least one serves; model readiness per model.
 */
@Controller("/v2")
public final class KServeController {
  private final ModelCatalog catalog;

  public KServeController(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  @Serdeable
  public record Live(boolean live) {}

  /**
   * @param failed_models models that failed to load and why (absent when none): with them the server is not ready
   *     unless {@code flexserve.ready-with-failed-models}
   */
  @Serdeable
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
  public record Ready(boolean ready, java.util.Map<String, String> failed_models) {
    public Ready(boolean ready) {
      this(ready, java.util.Map.of());
    }
  }

  @Serdeable
  public record TensorMetadata(String name, String datatype, List<Long> shape) {}

  @Serdeable
  public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
                              List<TensorMetadata> outputs, List<String> subnets) {}

  @Get("/health/live")
  public Live live() {
    return new Live(true);
  }

  @Get("/health/ready")
  public HttpResponse<Ready> ready() {
    boolean ready = catalog.serverReady();
    return HttpResponse.<Ready>status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(new Ready(ready, catalog.failures()));
  }

  @Get("/models/{model}")
  public ModelMetadata model(String model) {
    ServedModel served = catalog.require(model);
    if (served instanceof ServedEncoder m) {
      return new ModelMetadata(m.name(), List.of("1"), "onnxruntime_onnx",
          List.of(new TensorMetadata("text", "BYTES", List.of(-1L))),
          List.of(new TensorMetadata("sentence_embedding", "FP32", List.of(-1L, (long) m.encoder().manifest().config().hidden()))),
          m.subnetNames());
    }
    if (served instanceof ServedVision v) {
      return new ModelMetadata(v.name(), List.of("1"), "onnxruntime_onnx",
          List.of(new TensorMetadata("image", "BYTES", List.of(1L))),
          List.of(new TensorMetadata("summary", "FP32", List.of(1L, -1L)), new TensorMetadata("features", "FP32", List.of(1L, -1L, -1L))),
          v.subnetNames());
    }
    ServedDecoder m = (ServedDecoder) served;
    return new ModelMetadata(m.name(), List.of("1"), "onnxruntime_onnx",
          List.of(new TensorMetadata("input_ids", "INT64", List.of(-1L, -1L))),
          List.of(new TensorMetadata("logits", "FP32", List.of(-1L, -1L, (long) m.decoder().config().vocabSize()))),
          m.subnetNames());
  }

  @Get("/models/{model}/ready")
  public HttpResponse<Ready> modelReady(String model) {
    ModelState state = catalog.state(model);
    if (state == null) {
      throw new ApiException.NotFound("model_not_found", "model '" + model + "' does not exist; served models: " + catalog.names());
    }
    boolean ready = state == ModelState.READY && !catalog.draining();
    return HttpResponse.<Ready>status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(new Ready(ready));
  }
}
