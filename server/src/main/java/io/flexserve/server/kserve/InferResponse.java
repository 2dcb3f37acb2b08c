package io.flexserve.server.kserve;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Open Inference Protocol inference response: JSON, or with outputs asked for in binary ({@link
 * InferRequest#binary}) after the JSON header, FP32 and INT64 little-endian and BYTES as a 4-byte
 * little-endian length and then the bytes, with {@code Inference-Header-Content-Length} giving the
 * header's length.
 */
public final class InferResponse {
  private InferResponse() {}

  /**
   * One output tensor; {@code data} is a {@code float[]} (FP32), {@code long[]} (INT64) or {@code
   * List<String>} (BYTES).
   */
  public record Output(String name, String datatype, List<Long> shape, Object data) {}

  /** Encodes the response of {@code model} to {@code request}; {@code parameters} may be empty. */
  public static MutableHttpResponse<byte[]> of(
      JsonMapper json,
      String model,
      InferRequest request,
      List<Output> outputs,
      Map<String, Object> parameters) {
    return of(json, model, request.id(), outputs, request::binary, parameters);
  }

  static MutableHttpResponse<byte[]> of(
      JsonMapper json,
      String model,
      Optional<String> id,
      List<Output> outputs,
      java.util.function.Predicate<String> binary,
      Map<String, Object> parameters) {
    List<Map<String, Object>> encoded = new ArrayList<>();
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    for (Output o : outputs) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("name", o.name());
      out.put("datatype", o.datatype());
      out.put("shape", o.shape());
      if (binary.test(o.name())) {
        byte[] bytes = bytes(o.data());
        tail.writeBytes(bytes);
        out.put("parameters", Map.of("binary_data_size", bytes.length));
      } else {
        out.put("data", o.data());
      }
      encoded.add(out);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model_name", model);
    root.put("model_version", KServeController.VERSION);
    id.ifPresent(v -> root.put("id", v));
    if (!parameters.isEmpty()) {
      root.put("parameters", parameters);
    }
    root.put("outputs", encoded);
    try {
      byte[] header = json.writeValueAsBytes(root);
      if (tail.size() == 0) {
        return HttpResponse.ok(header).contentType(MediaType.APPLICATION_JSON_TYPE);
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream(header.length + tail.size());
      body.writeBytes(header);
      body.writeBytes(tail.toByteArray());
      return HttpResponse.ok(body.toByteArray())
          .contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE)
          .header(InferRequest.HEADER_LENGTH, Integer.toString(header.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(Object data) {
    if (data instanceof float[] f) {
      ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(f);
      return b.array();
    }
    if (data instanceof long[] l) {
      ByteBuffer b = ByteBuffer.allocate(8 * l.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(l);
      return b.array();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object s : (List<?>) data) {
      byte[] element = s.toString().getBytes(StandardCharsets.UTF_8);
      out.writeBytes(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(element.length).array());
      out.writeBytes(element);
    }
    return out.toByteArray();
  }
}
