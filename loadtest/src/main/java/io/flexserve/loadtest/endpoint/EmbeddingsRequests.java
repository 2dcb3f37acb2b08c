package io.flexserve.loadtest.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the requests of a run: {@code POST /v1/embeddings} with an OpenAI body {@code {"model": …,
 * "input": "text" | ["a", "b"]}}, or, for generation kinds, {@code POST /v1/completions} and {@code
 * POST /v1/chat/completions} (see {@link GenerationRequests}), or for vision {@code POST
 * /v1/vision/features} (see {@link VisionRequests}), each with the routing headers.
 *
 * @param endpoint the server
 * @param model the {@code model} field; not blank
 * @param strict whether to send {@code X-Deadline-Policy: strict} (otherwise the header is left
 *     out, which the server reads as best-effort)
 * @param timeout per-request timeout; positive
 * @param generationModel the {@code model} field of completions and chat requests; not blank
 * @param vision the model and images of vision requests
 */
public record EmbeddingsRequests(
    Endpoint endpoint,
    String model,
    boolean strict,
    Duration timeout,
    String generationModel,
    VisionRequests vision) {
  /** Request header carrying the latency target in milliseconds. */
  public static final String LATENCY_TARGET = "X-Latency-Target-Ms";

  /** Request header carrying the deadline policy. */
  public static final String DEADLINE_POLICY = "X-Deadline-Policy";

  /**
   * Writes request bodies and reads responses for the whole package; text after a document is an
   * error, as for any strict JSON reader. Read with {@code readValue(text, JsonNode.class)}, which
   * unlike {@code readTree} fails on empty text.
   */
  static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /**
   * Generation and vision requests name the same model as embeddings; vision sends the default
   * images.
   */
  public EmbeddingsRequests(Endpoint endpoint, String model, boolean strict, Duration timeout) {
    this(endpoint, model, strict, timeout, model);
  }

  /** Vision requests name the embeddings model and send the default images. */
  public EmbeddingsRequests(
      Endpoint endpoint, String model, boolean strict, Duration timeout, String generationModel) {
    this(endpoint, model, strict, timeout, generationModel, VisionRequests.defaults(model));
  }

  public EmbeddingsRequests {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(vision, "vision");
    if (model.isBlank() || generationModel.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  /** The JSON body for {@code inputs}: one input is sent as a string, several as an array. */
  public String body(List<String> inputs) {
    ObjectNode body = JSON.createObjectNode().put("model", model);
    if (inputs.size() == 1) {
      body.put("input", inputs.get(0));
    } else {
      ArrayNode array = body.putArray("input");
      inputs.forEach(array::add);
    }
    return write(body);
  }

  /**
   * The HTTP request for a planned request: its inputs, and its target as {@code
   * X-Latency-Target-Ms}.
   */
  public OutgoingRequest build(PlannedRequest planned) {
    if (planned.kind().generation()) {
      return GenerationRequests.build(this, planned);
    }
    if (planned.kind() == EndpointKind.VISION) {
      return vision.build(endpoint, planned, timeout, strict);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json");
    planned.targetMillis().ifPresent(t -> headers.put(LATENCY_TARGET, millisHeader(t)));
    if (strict) {
      headers.put(DEADLINE_POLICY, "strict");
    }
    return OutgoingRequest.post(
        endpoint.embeddings(),
        headers,
        body(planned.inputs()).getBytes(StandardCharsets.UTF_8),
        timeout);
  }

  /** The compact JSON text of {@code node}. */
  static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // A tree of plain nodes written to a string has no I/O that could fail.
      throw new IllegalStateException(e);
    }
  }

  // Whole numbers without ".0"; fractions with at most three decimals (microsecond resolution is
  // plenty).
  static String millisHeader(double millis) {
    if (millis == Math.rint(millis) && millis < 1e15) {
      return Long.toString((long) millis);
    }
    return java.math.BigDecimal.valueOf(millis)
        .setScale(3, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }
}
