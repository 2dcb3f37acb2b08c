package io.flexserve.server.kserve;

import static io.flexserve.server.request.JsonFields.integer;
import static io.flexserve.server.request.JsonFields.string;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.vision.ImageFeatures;
import io.flexserve.server.vision.VisionRequest;
import io.flexserve.server.vision.VisionRequestParser;
import io.flexserve.server.vision.VisionService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a vision inference means in Open Inference Protocol terms. Inputs: one {@code BYTES} tensor
 * of shape {@code [1]} holding a JPEG or PNG (base64 in JSON, raw in the binary part). Request
 * parameters: {@code resolution}, {@code feature_format} ({@code nlc} | {@code nchw}). Outputs:
 * {@code summary [1, C·H]} and {@code features [1, N, H]} or {@code [1, H, g, g]}.
 */
final class KServeInfer {
  private KServeInfer() {}

  record Request(
      byte[] image,
      OptionalInt resolution,
      VisionRequest.FeatureFormat format,
      List<String> outputs) {}

  static Request of(InferRequest request) {
    if (request.inputs().size() != 1
        || !request.inputs().get(0).datatype().equals("BYTES")
        || request.inputs().get(0).bytes().size() != 1) {
      throw new ApiException.BadRequest(
          "invalid_request",
          "'inputs' must hold exactly one BYTES tensor of shape [1] (the image)");
    }
    InferRequest.Tensor input = request.inputs().get(0);
    byte[] image =
        input.binary()
            ? input.bytes().get(0)
            : VisionRequestParser.base64(
                new String(input.bytes().get(0), java.nio.charset.StandardCharsets.UTF_8));
    OptionalInt resolution = integer(request.parameters(), "resolution");
    VisionRequest.FeatureFormat format =
        "nchw".equalsIgnoreCase(string(request.parameters(), "feature_format"))
            ? VisionRequest.FeatureFormat.NCHW
            : VisionRequest.FeatureFormat.NLC;
    List<String> outputs =
        request.outputs().isEmpty()
            ? List.of("summary", "features")
            : List.copyOf(request.outputs().keySet());
    for (String name : outputs) {
      if (!name.equals("summary") && !name.equals("features")) {
        throw new ApiException.InvalidValue(
            "invalid_value", "unknown output '" + name + "'; outputs are summary, features");
      }
    }
    return new Request(image, resolution, format, outputs);
  }

  static List<InferResponse.Output> outputs(Request request, VisionService.Served served) {
    ImageFeatures f = served.features();
    int g = f.grid();
    int h = f.hidden();
    boolean nchw = request.format() == VisionRequest.FeatureFormat.NCHW;
    List<InferResponse.Output> out = new ArrayList<>();
    for (String name : request.outputs()) {
      if (name.equals("summary")) {
        out.add(
            new InferResponse.Output(
                name, "FP32", List.of(1L, (long) f.summary().length), f.summary()));
      } else {
        out.add(
            new InferResponse.Output(
                name,
                "FP32",
                nchw
                    ? List.of(1L, (long) h, (long) g, (long) g)
                    : List.of(1L, (long) g * g, (long) h),
                nchw
                    ? io.flexserve.models.vision.VisionOutput.toChannelsFirst(f.features(), g, h)
                    : f.features()));
      }
    }
    return out;
  }

  static Map<String, Object> parameters(VisionService.Served served) {
    return Map.of("subnet", served.variant().subnet(), "resolution", served.variant().resolution());
  }
}
