package io.flexserve.server.kserve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The response objects of the Open Inference Protocol REST specification
 * (kserve/open-inference-protocol, specification/protocol/open_inference_rest.yaml,
 * components.schemas), checked field by field. Written from the specification's text, not from this
 * server's code: a response that passes here is what any protocol client expects.
 */
final class OipSchema {
  private OipSchema() {}

  /**
   * {@code metadata_server_response}: name, version (strings) and extensions (strings), all
   * required.
   */
  static void serverMetadata(JsonNode r) {
    string(r, "name", true);
    string(r, "version", true);
    stringArray(r, "extensions", true);
  }

  /**
   * {@code metadata_model_response}: name and platform required; versions (strings); inputs,
   * outputs (tensors).
   */
  static void modelMetadata(JsonNode r) {
    string(r, "name", true);
    string(r, "platform", true);
    stringArray(r, "versions", false);
    for (String side : new String[] {"inputs", "outputs"}) {
      if (r.has(side)) {
        assertTrue(r.get(side).isArray(), side + " must be an array: " + r);
        r.get(side).forEach(OipSchema::metadataTensor);
      }
    }
  }

  /** {@code metadata_tensor}: name, datatype (strings), shape (integers), all required. */
  static void metadataTensor(JsonNode t) {
    string(t, "name", true);
    string(t, "datatype", true);
    integerArray(t, "shape");
  }

  /**
   * {@code inference_response}: model_name and outputs required; model_version, id strings;
   * parameters an object.
   */
  static void inferenceResponse(JsonNode r) {
    string(r, "model_name", true);
    string(r, "model_version", false);
    string(r, "id", false);
    parameters(r);
    assertTrue(r.has("outputs") && r.get("outputs").isArray(), "outputs must be an array: " + r);
    r.get("outputs").forEach(OipSchema::responseOutput);
  }

  /**
   * {@code response_output}: name, shape, datatype, data required (the binary extension replaces
   * data with the binary_data_size parameter), and data is {@code tensor_data}: an array of
   * numbers, strings, booleans or arrays.
   */
  static void responseOutput(JsonNode o) {
    string(o, "name", true);
    string(o, "datatype", true);
    integerArray(o, "shape");
    parameters(o);
    boolean binary = o.has("parameters") && o.get("parameters").has("binary_data_size");
    assertTrue(binary || o.has("data"), "an output needs data (or binary_data_size): " + o);
    if (o.has("data")) {
      tensorData(o.get("data"));
    }
  }

  /**
   * {@code inference_error_response} (and the metadata error responses): {@code error}, a string.
   */
  static void error(JsonNode r) {
    string(r, "error", true);
  }

  private static void tensorData(JsonNode d) {
    assertTrue(d.isArray(), "tensor data must be an array: " + d);
    for (JsonNode v : d) {
      assertTrue(
          v.isArray() || v.isNumber() || v.isTextual() || v.isBoolean(),
          "tensor data element: " + v);
      if (v.isArray()) {
        tensorData(v);
      }
    }
  }

  private static void parameters(JsonNode r) {
    if (r.has("parameters")) {
      assertTrue(r.get("parameters").isObject(), "parameters must be an object: " + r);
    }
  }

  private static void string(JsonNode r, String field, boolean required) {
    if (required) {
      assertTrue(r.has(field), field + " is required: " + r);
    }
    if (r.has(field)) {
      assertTrue(r.get(field).isTextual(), field + " must be a string: " + r);
    }
  }

  private static void stringArray(JsonNode r, String field, boolean required) {
    if (required) {
      assertTrue(r.has(field), field + " is required: " + r);
    }
    if (r.has(field)) {
      assertTrue(r.get(field).isArray(), field + " must be an array: " + r);
      r.get(field).forEach(v -> assertTrue(v.isTextual(), field + " must hold strings: " + r));
    }
  }

  private static void integerArray(JsonNode r, String field) {
    assertTrue(r.has(field) && r.get(field).isArray(), field + " must be an array: " + r);
    r.get(field)
        .forEach(v -> assertTrue(v.isIntegralNumber(), field + " must hold integers: " + r));
  }
}
