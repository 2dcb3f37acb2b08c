package io.flexserve.server.kserve;

import static io.flexserve.server.request.JsonFields.array;
import static io.flexserve.server.request.JsonFields.bool;
import static io.flexserve.server.request.JsonFields.integer;
import static io.flexserve.server.request.JsonFields.object;
import static io.flexserve.server.request.JsonFields.string;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.request.JsonBodies;
import io.flexserve.server.request.JsonFields;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An Open Inference Protocol inference request, JSON or with the binary tensor data extension: with
 * an {@code Inference-Header-Content-Length: L} header the first L body bytes are the JSON header
 * and the rest is raw tensor data, each binary input marked by its {@code binary_data_size}
 * parameter. BYTES elements are a 4-byte little-endian length and then the bytes (base64 strings
 * are not decoded here: in JSON, BYTES data are strings).
 *
 * @param parameters the request's {@code parameters} object, null when absent
 * @param outputs requested outputs by name, each with whether it goes in the binary part; empty:
 *     every output, in JSON unless the {@code binary_data_output} parameter says otherwise ({@link
 *     #binary})
 */
public record InferRequest(
    Optional<String> id,
    List<Tensor> inputs,
    JsonNode parameters,
    Map<String, Boolean> outputs,
    boolean binaryByDefault) {
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  /**
   * One input tensor. Exactly one of the data lists is set, by datatype.
   *
   * @param bytes BYTES elements (raw bytes: base64 in JSON stays a string's UTF-8 bytes)
   * @param integers INT64 / INT32 elements
   * @param binary whether the data came in the binary part (else from JSON)
   */
  public record Tensor(
      String name,
      String datatype,
      long[] shape,
      List<byte[]> bytes,
      long[] integers,
      boolean binary) {
    /** Elements the shape holds. */
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    /** BYTES elements as UTF-8 text. */
    public List<String> texts() {
      return bytes.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
  }

  /** Whether output {@code name} goes in the binary part. */
  public boolean binary(String name) {
    return outputs.getOrDefault(name, binaryByDefault);
  }

  /** The input called {@code name}; 400 when absent. */
  public Tensor input(String name) {
    return inputs.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ApiException.BadRequest(
                    "missing_input",
                    "the request has no input '"
                        + name
                        + "'; inputs: "
                        + inputs.stream().map(Tensor::name).toList()));
  }

  /** Parses {@code body}; {@code headerLength} is the binary extension's header, when sent. */
  public static InferRequest parse(JsonMapper json, byte[] body, OptionalInt headerLength) {
    int jsonLength = headerLength.orElse(body == null ? 0 : body.length);
    if (body == null || jsonLength < 0 || jsonLength > body.length) {
      throw new ApiException.BadRequest(
          "invalid_header",
          HEADER_LENGTH
              + " "
              + jsonLength
              + " exceeds the body ("
              + (body == null ? 0 : body.length)
              + " bytes)");
    }
    JsonNode root = JsonBodies.parse(json, Arrays.copyOf(body, jsonLength));
    if (!root.isObject()) {
      throw new ApiException.BadRequest(
          "invalid_json", "the request must be a JSON object with 'inputs'");
    }
    JsonNode inputs = array(root, "inputs");
    if (inputs == null || inputs.size() == 0) {
      throw new ApiException.BadRequest(
          "missing_field", "'inputs' must be a non-empty array of tensors");
    }
    List<Tensor> tensors = new ArrayList<>();
    int offset = jsonLength;
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode input = inputs.get(i);
      if (!input.isObject()) {
        throw new ApiException.BadRequest("wrong_type", "'inputs[" + i + "]' must be an object");
      }
      Tensor t = tensor(input, i, body, offset);
      OptionalInt binary = integer(object(input, "parameters"), "binary_data_size");
      offset += binary.orElse(0);
      tensors.add(t);
    }
    if (offset != body.length) {
      throw new ApiException.BadRequest(
          "invalid_request",
          "the binary part is "
              + (body.length - jsonLength)
              + " bytes but the inputs' binary_data_size add up to "
              + (offset - jsonLength));
    }
    JsonNode params = object(root, "parameters");
    boolean allBinary = bool(params, "binary_data_output").orElse(false);
    Map<String, Boolean> outputs = new LinkedHashMap<>();
    JsonNode wanted = array(root, "outputs");
    if (wanted != null) {
      for (JsonNode o : wanted.values()) {
        if (!o.isObject()) {
          throw new ApiException.BadRequest("wrong_type", "each of 'outputs' must be an object");
        }
        String name = string(o, "name");
        if (name == null) {
          throw new ApiException.BadRequest("missing_field", "each of 'outputs' needs a 'name'");
        }
        outputs.put(name, bool(object(o, "parameters"), "binary_data").orElse(allBinary));
      }
    }
    return new InferRequest(
        Optional.ofNullable(string(root, "id")), List.copyOf(tensors), params, outputs, allBinary);
  }

  private static Tensor tensor(JsonNode input, int index, byte[] body, int offset) {
    String where = "inputs[" + index + "]";
    String name = string(input, "name");
    String datatype = string(input, "datatype");
    JsonNode shapeNode = array(input, "shape");
    if (name == null || datatype == null || shapeNode == null) {
      throw new ApiException.BadRequest(
          "missing_field", where + " needs 'name', 'datatype' and 'shape'");
    }
    long[] shape = new long[shapeNode.size()];
    for (int d = 0; d < shape.length; d++) {
      JsonNode dim = shapeNode.get(d);
      if (!JsonFields.isInteger(dim) || dim.getLongValue() < 0) {
        throw new ApiException.BadRequest(
            "wrong_type", where + ".shape must hold non-negative integers");
      }
      shape[d] = dim.getLongValue();
    }
    OptionalInt binarySize = integer(object(input, "parameters"), "binary_data_size");
    Tensor t;
    switch (datatype) {
      case "BYTES" ->
          t =
              new Tensor(
                  name,
                  datatype,
                  shape,
                  binarySize.isPresent()
                      ? binaryBytes(body, offset, binarySize.getAsInt(), where)
                      : jsonBytes(input.get("data"), where),
                  null,
                  binarySize.isPresent());
      case "INT64", "INT32" ->
          t =
              new Tensor(
                  name,
                  datatype,
                  shape,
                  null,
                  binarySize.isPresent()
                      ? binaryIntegers(
                          body,
                          offset,
                          binarySize.getAsInt(),
                          datatype.equals("INT64") ? 8 : 4,
                          where)
                      : jsonIntegers(input.get("data"), where),
                  binarySize.isPresent());
      default ->
          throw new ApiException.InvalidValue(
              "unsupported_datatype",
              where
                  + " has datatype "
                  + datatype
                  + "; inputs here are BYTES (text, images) or INT64 / INT32 (token ids)");
    }
    long count = t.bytes() != null ? t.bytes().size() : t.integers().length;
    if (count != t.elements()) {
      throw new ApiException.BadRequest(
          "shape_mismatch",
          where
              + " has shape "
              + Arrays.toString(shape)
              + " ("
              + t.elements()
              + " elements) but "
              + count
              + " data elements");
    }
    return t;
  }

  private static List<byte[]> jsonBytes(JsonNode data, String where) {
    List<byte[]> out = new ArrayList<>();
    for (JsonNode v : flatten(data, where)) {
      if (!v.isString()) {
        throw new ApiException.BadRequest(
            "wrong_type", where + ".data must hold strings for BYTES");
      }
      out.add(v.getStringValue().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static long[] jsonIntegers(JsonNode data, String where) {
    List<JsonNode> values = flatten(data, where);
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      if (!JsonFields.isInteger(values.get(i))) {
        throw new ApiException.BadRequest("wrong_type", where + ".data must hold integers");
      }
      out[i] = values.get(i).getLongValue();
    }
    return out;
  }

  /** Tensor data may be flat or nested in row-major order (the protocol allows both). */
  private static List<JsonNode> flatten(JsonNode data, String where) {
    if (data == null || !data.isArray()) {
      throw new ApiException.BadRequest(
          "missing_field", where + " needs a 'data' array (or binary data)");
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode v : data.values()) {
      if (v.isArray()) {
        out.addAll(flatten(v, where));
      } else {
        out.add(v);
      }
    }
    return out;
  }

  private static void checkFits(byte[] body, int offset, int size, String where) {
    if (size < 0 || (long) offset + size > body.length) {
      throw new ApiException.BadRequest(
          "invalid_request",
          where
              + " binary_data_size "
              + size
              + " does not fit the binary part ("
              + Math.max(0, body.length - offset)
              + " bytes left)");
    }
  }

  private static List<byte[]> binaryBytes(byte[] body, int offset, int size, String where) {
    checkFits(body, offset, size, where);
    ByteBuffer bin = ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>();
    while (bin.hasRemaining()) {
      if (bin.remaining() < 4) {
        throw new ApiException.BadRequest(
            "invalid_request", where + ": a BYTES element's 4-byte length is cut off");
      }
      int len = bin.getInt();
      if (len < 0 || len > bin.remaining()) {
        throw new ApiException.BadRequest(
            "invalid_request", where + ": BYTES element length " + len + " exceeds its tensor");
      }
      byte[] element = new byte[len];
      bin.get(element);
      out.add(element);
    }
    return out;
  }

  private static long[] binaryIntegers(byte[] body, int offset, int size, int width, String where) {
    checkFits(body, offset, size, where);
    if (size % width != 0) {
      throw new ApiException.BadRequest(
          "invalid_request",
          where + " binary_data_size " + size + " is not a multiple of " + width);
    }
    ByteBuffer bin = ByteBuffer.wrap(body, offset, size).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[size / width];
    for (int i = 0; i < out.length; i++) {
      out[i] = width == 8 ? bin.getLong() : bin.getInt();
    }
    return out;
  }
}
