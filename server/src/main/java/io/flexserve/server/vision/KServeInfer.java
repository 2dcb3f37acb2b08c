package io.flexserve.server.vision;

import io.flexserve.server.api.JsonBodies;
import io.flexserve.server.errors.ApiException;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The KServe v2 / Open Inference Protocol wire format of a vision inference, including the binary tensor data
 * extension: with an {@code Inference-Header-Content-Length: L} header, the first L body bytes are the JSON header and
 * the rest is raw tensor data, each binary input marked by its {@code binary_data_size} parameter; BYTES elements
 * are a 4-byte little-endian length and then the bytes. Outputs asked for with {@code "binary_data": true} (or all,
 * with the request parameter {@code binary_data_output}) are returned the same way, FP32 little-endian.
 *
 * <p>Inputs: one {@code BYTES} tensor of shape {@code [1]} holding a JPEG or PNG (base64 in JSON). Request
 * parameters: {@code resolution}, {@code feature_format} ({@code nlc} | {@code nchw}). Outputs: {@code summary
 * [1, C·H]} and {@code features [1, N, H]} or {@code [1, H, g, g]}.
 */
final class KServeInfer {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private KServeInfer() {}

  /**
   * A parsed request.
   *
   * @param binaryOutputs per requested output name, whether it goes in the binary part
   */
  record Request(Optional<String> id, byte[] image, OptionalInt resolution, VisionRequest.FeatureFormat format,
                 Map<String, Boolean> binaryOutputs) {}

  static Request parse(JsonMapper json, byte[] body, OptionalInt headerLength) {
    int jsonLength = headerLength.orElse(body == null ? 0 : body.length);
    if (body == null || jsonLength < 0 || jsonLength > body.length) {
      throw new ApiException.BadRequest("invalid_header", HEADER_LENGTH + " " + jsonLength + " exceeds the body ("
          + (body == null ? 0 : body.length) + " bytes)");
    }
    JsonNode root = JsonBodies.parse(json, java.util.Arrays.copyOf(body, jsonLength));
    JsonNode inputs = root.get("inputs");
    if (!root.isObject() || inputs == null || !inputs.isArray() || inputs.size() != 1) {
      throw new ApiException.BadRequest("invalid_request", "'inputs' must hold exactly one BYTES tensor (the image)");
    }
    JsonNode input = inputs.get(0);
    if (!input.isObject()) {
      throw new ApiException.BadRequest("wrong_type", "'inputs[0]' must be an object");
    }
    String datatype = string(input, "datatype");
    if (!"BYTES".equals(datatype)) {
      throw new ApiException.BadRequest("invalid_request", "input datatype must be BYTES (an encoded image), got " + datatype);
    }
    byte[] image;
    OptionalInt size = integer(object(input, "parameters"), "binary_data_size");
    if (size.isPresent()) {
      int n = size.getAsInt();
      if (n < 4 || jsonLength + (long) n > body.length) {
        throw new ApiException.BadRequest("invalid_request", "binary_data_size " + n + " does not fit the binary part ("
            + (body.length - jsonLength) + " bytes)");
      }
      ByteBuffer bin = ByteBuffer.wrap(body, jsonLength, n).order(ByteOrder.LITTLE_ENDIAN);
      int len = bin.getInt();
      if (len < 0 || len > n - 4) {
        throw new ApiException.BadRequest("invalid_request", "BYTES element length " + len + " exceeds its tensor (" + (n - 4) + " bytes)");
      }
      image = java.util.Arrays.copyOfRange(body, jsonLength + 4, jsonLength + 4 + len);
    } else {
      JsonNode data = input.get("data");
      if (data == null || !data.isArray() || data.size() != 1 || !data.get(0).isString()) {
        throw new ApiException.BadRequest("invalid_request", "input 'data' must be one base64 string, or use binary data");
      }
      image = VisionRequestParser.base64(data.get(0).getStringValue());
    }
    JsonNode params = object(root, "parameters");
    OptionalInt resolution = integer(params, "resolution");
    String featureFormat = string(params, "feature_format");
    VisionRequest.FeatureFormat format = "nchw".equalsIgnoreCase(featureFormat)
        ? VisionRequest.FeatureFormat.NCHW : VisionRequest.FeatureFormat.NLC;
    boolean allBinary = bool(params, "binary_data_output").orElse(false);
    Map<String, Boolean> outputs = new LinkedHashMap<>();
    JsonNode wanted = root.get("outputs");
    if (wanted == null || !wanted.isArray() || wanted.size() == 0) {
      outputs.put("summary", allBinary);
      outputs.put("features", allBinary);
    } else {
      for (JsonNode o : wanted.values()) {
        if (!o.isObject()) {
          throw new ApiException.BadRequest("wrong_type", "each of 'outputs' must be an object");
        }
        String name = string(o, "name");
        if (!"summary".equals(name) && !"features".equals(name)) {
          throw new ApiException.InvalidValue("invalid_value", "unknown output '" + name + "'; outputs are summary, features");
        }
        outputs.put(name, bool(object(o, "parameters"), "binary_data").orElse(allBinary));
      }
    }
    return new Request(Optional.ofNullable(string(root, "id")), image, resolution, format, outputs);
  }

  /** The response body, and the JSON header's length when a binary part follows. */
  record Response(byte[] body, OptionalInt headerLength) {}

  static Response encode(JsonMapper json, String model, Request request, VisionService.Served served) {
    ImageFeatures f = served.features();
    int g = f.grid();
    int h = f.hidden();
    List<Map<String, Object>> outputs = new ArrayList<>();
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    for (Map.Entry<String, Boolean> o : request.binaryOutputs().entrySet()) {
      boolean summary = o.getKey().equals("summary");
      float[] data = summary ? f.summary()
          : request.format() == VisionRequest.FeatureFormat.NCHW ? io.flexserve.models.runtime.VisionOutput.toChannelsFirst(f.features(), g, h)
          : f.features();
      List<Integer> shape = summary ? List.of(1, f.summary().length)
          : request.format() == VisionRequest.FeatureFormat.NCHW ? List.of(1, h, g, g) : List.of(1, g * g, h);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", o.getKey());
      out.put("datatype", "FP32");
      out.put("shape", shape);
      if (o.getValue()) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        binary.writeBytes(bytes.array());
        out.put("parameters", Map.of("binary_data_size", 4 * data.length));
      } else {
        out.put("data", data);
      }
      outputs.add(out);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model_name", model);
    root.put("model_version", "1");
    request.id().ifPresent(id -> root.put("id", id));
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("subnet", served.variant().subnet());
    parameters.put("resolution", served.variant().resolution());
    root.put("parameters", parameters);
    root.put("outputs", outputs);
    try {
      byte[] header = json.writeValueAsBytes(root);
      if (binary.size() == 0) {
        return new Response(header, OptionalInt.empty());
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream(header.length + binary.size());
      body.writeBytes(header);
      body.writeBytes(binary.toByteArray());
      return new Response(body.toByteArray(), OptionalInt.of(header.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Typed fields: absent is empty; present with the wrong JSON type (null included) is a 400 naming the field.

  private static JsonNode object(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isObject()) {
      throw wrongType(field, "an object", v);
    }
    return v;
  }

  private static String string(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isString()) {
      throw wrongType(field, "a string", v);
    }
    return v == null ? null : v.getStringValue();
  }

  private static OptionalInt integer(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null) {
      return OptionalInt.empty();
    }
    if (!v.isNumber() || !(v.getNumberValue() instanceof Integer || v.getNumberValue() instanceof Long)
        || v.getLongValue() != v.getIntValue()) {
      throw wrongType(field, "an integer", v);
    }
    return OptionalInt.of(v.getIntValue());
  }

  private static Optional<Boolean> bool(JsonNode parent, String field) {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v != null && !v.isBoolean()) {
      throw wrongType(field, "true or false", v);
    }
    return v == null ? Optional.empty() : Optional.of(v.getBooleanValue());
  }

  private static ApiException.BadRequest wrongType(String field, String expected, JsonNode got) {
    String kind = got.isNull() ? "null" : got.isString() ? "a string" : got.isBoolean() ? "a boolean" : got.isArray() ? "an array"
        : got.isObject() ? "an object" : "a number";
    return new ApiException.BadRequest("wrong_type", "'" + field + "' must be " + expected + ", got " + kind);
  }
}
