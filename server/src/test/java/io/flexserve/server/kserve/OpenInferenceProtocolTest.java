package io.flexserve.server.kserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.generation.TinyStoriesRepository;
import io.flexserve.server.vision.VisionRepository;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every endpoint of the Open Inference Protocol REST specification, answered for an encoder
 * (MiniLM), a decoder (tinystories) and a vision backbone (radio-tiny) on one server, each response
 * checked against the specification's schemas ({@link OipSchema}) and for what it means: embeddings
 * agree with {@code /v1/embeddings}, a greedy generation with {@code /v1/completions}, and the
 * binary tensor extension with the JSON form.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenInferenceProtocolTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ENCODER = ServerHarness.MODEL;
  static final String DECODER = TinyStoriesRepository.MODEL;
  static final String VISION = VisionRepository.MODEL;
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    try {
      Path repo = io.flexserve.server.api.LinkedRepository.everyKind("test-oip-repo");
      return Map.of(
          "flexserve.model-dir", repo.toString(), "micronaut.server.max-request-size", "1048576");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void serverHealthAndMetadata() throws Exception {
    assertEquals(200, http.get("/v2/health/live").statusCode());
    assertEquals(200, http.get("/v2/health/ready").statusCode());
    for (String path : List.of("/v2", "/v2/")) {
      JsonNode meta = ok(http.get(path));
      OipSchema.serverMetadata(meta);
      assertEquals("flexserve", meta.get("name").asText());
      assertTrue(meta.get("extensions").toString().contains("binary_tensor_data"));
    }
  }

  @Test
  void everyModelKindAnswersMetadataAndReadiness_withAndWithoutItsVersion() throws Exception {
    for (String model : List.of(ENCODER, DECODER, VISION)) {
      for (String base : List.of("/v2/models/" + model, "/v2/models/" + model + "/versions/1")) {
        JsonNode meta = ok(http.get(base));
        OipSchema.modelMetadata(meta);
        assertEquals(model, meta.get("name").asText());
        assertEquals("1", meta.get("versions").get(0).asText());
        JsonNode ready = ok(http.get(base + "/ready"));
        assertEquals(model, ready.get("name").asText());
        assertTrue(ready.get("ready").asBoolean());
      }
    }
  }

  @Test
  void anEncoderEmbedsTextAsV1Does_inJsonAndInBinary() throws Exception {
    String body =
        "{\"id\":\"e1\",\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[2],"
            + "\"data\":[\"a cat sits on the mat\",\"stock markets fell today\"]}]}";
    for (String path :
        List.of(
            "/v2/models/" + ENCODER + "/infer", "/v2/models/" + ENCODER + "/versions/1/infer")) {
      JsonNode r = ok(http.post(path, body));
      OipSchema.inferenceResponse(r);
      assertEquals("e1", r.get("id").asText());
      JsonNode out = r.get("outputs").get(0);
      assertEquals("sentence_embedding", out.get("name").asText());
      assertEquals("[2,384]", out.get("shape").toString());
      JsonNode v1 =
          ok(
              http.post(
                  "/v1/embeddings",
                  "{\"input\":[\"a cat sits on the mat\",\"stock markets fell today\"],"
                      + "\"model\":\""
                      + ENCODER
                      + "\"}"));
      for (int i = 0; i < 384; i += 37) {
        assertEquals(
            v1.get("data").get(1).get("embedding").get(i).asDouble(),
            out.get("data").get(384 + i).asDouble(),
            1e-5);
      }
    }
    // binary in and out: the text as BYTES elements, the embeddings as little-endian FP32
    byte[] a = "a cat sits on the mat".getBytes(StandardCharsets.UTF_8);
    ByteBuffer tensor =
        ByteBuffer.allocate(4 + a.length).order(ByteOrder.LITTLE_ENDIAN).putInt(a.length).put(a);
    String header =
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"parameters\":{\"binary_data_size\":"
            + tensor.capacity()
            + "}}],\"outputs\":[{\"name\":\"sentence_embedding\",\"parameters\":{\"binary_data\":true}}]}";
    HttpResponse<byte[]> bin = binary("/v2/models/" + ENCODER + "/infer", header, tensor.array());
    assertEquals(200, bin.statusCode(), new String(bin.body(), StandardCharsets.UTF_8));
    int length =
        Integer.parseInt(bin.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonNode head = JSON.readTree(Arrays.copyOf(bin.body(), length));
    OipSchema.inferenceResponse(head);
    assertEquals(
        384 * 4, head.get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
    float first = ByteBuffer.wrap(bin.body(), length, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    JsonNode json =
        ok(
            http.post(
                "/v2/models/" + ENCODER + "/infer",
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\","
                    + "\"shape\":[1],\"data\":[\"a cat sits on the mat\"]}]}"));
    assertEquals(json.get("outputs").get(0).get("data").get(0).asDouble(), first, 1e-6);
  }

  @Test
  void aDecoderGeneratesFromTextOrTokenIds_asV1CompletionsDoes() throws Exception {
    String params = "\"parameters\":{\"max_tokens\":12,\"temperature\":0}";
    JsonNode r =
        ok(
            http.post(
                "/v2/models/" + DECODER + "/infer",
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\","
                    + "\"shape\":[1],\"data\":[\"Once upon a time\"]}],"
                    + params
                    + "}"));
    OipSchema.inferenceResponse(r);
    JsonNode v1 =
        ok(
            http.post(
                "/v1/completions",
                "{\"model\":\""
                    + DECODER
                    + "\",\"prompt\":\"Once upon a time\","
                    + "\"max_tokens\":12,\"temperature\":0}",
                "X-Subnet",
                r.get("parameters").get("subnets").asText()));
    String text = r.get("outputs").get(0).get("data").get(0).asText();
    assertEquals(v1.get("choices").get(0).get("text").asText(), text);
    JsonNode ids = r.get("outputs").get(1);
    assertEquals("output_ids", ids.get("name").asText());
    assertEquals("[1,12]", ids.get("shape").toString());
    assertEquals("length", r.get("parameters").get("finish_reason").asText());

    // the same prompt as token ids (BOS first), in the binary part, to the versioned route
    long[] prompt = {1, 403, 407, 261, 378}; // "Once upon a time": golden.json's prompt_ids
    JsonNode tokens =
        ok(
            http.post(
                "/v2/models/" + DECODER + "/infer",
                "{\"inputs\":[{\"name\":\"input_ids\","
                    + "\"datatype\":\"INT64\",\"shape\":[1,"
                    + prompt.length
                    + "],\"data\":"
                    + Arrays.toString(prompt)
                    + "}],"
                    + params
                    + "}"));
    ByteBuffer ints = ByteBuffer.allocate(8 * prompt.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long id : prompt) {
      ints.putLong(id);
    }
    String header =
        "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,"
            + prompt.length
            + "],\"parameters\":{\"binary_data_size\":"
            + ints.capacity()
            + "}}],"
            + params
            + "}";
    HttpResponse<byte[]> bin =
        binary("/v2/models/" + DECODER + "/versions/1/infer", header, ints.array());
    assertEquals(200, bin.statusCode(), new String(bin.body(), StandardCharsets.UTF_8));
    JsonNode fromBinary = JSON.readTree(bin.body());
    OipSchema.inferenceResponse(fromBinary);
    assertEquals(tokens.get("outputs").toString(), fromBinary.get("outputs").toString());
    assertEquals(prompt.length, r.get("parameters").get("prompt_tokens").asInt());
    assertEquals(
        text,
        tokens.get("outputs").get(0).get("data").get(0).asText(),
        "ids and text prompts agree");
  }

  @Test
  void routingChoicesTravelAsHeadersOrAsParameters_notBoth() throws Exception {
    String input =
        "\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"Once\"]}]";
    JsonNode r =
        ok(
            http.post(
                "/v2/models/" + DECODER + "/infer",
                "{" + input + ",\"parameters\":{\"max_tokens\":2," + "\"subnet\":\"lat85\"}}"));
    assertEquals("lat85", r.get("parameters").get("subnets").asText());
    JsonNode e =
        ok(
            http.post(
                "/v2/models/" + ENCODER + "/infer",
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\","
                    + "\"shape\":[1],\"data\":[\"x\"]}],\"parameters\":{\"subnet\":\"mlp75\"}}"));
    assertEquals("mlp75", e.get("parameters").get("subnet").asText());
    HttpResponse<String> both =
        http.post(
            "/v2/models/" + DECODER + "/infer",
            "{" + input + ",\"parameters\":{\"subnet\":\"full\"}}",
            "X-Subnet",
            "lat85");
    assertEquals(422, both.statusCode(), both.body());
    assertEquals("conflicting_headers", both.headers().firstValue("X-Error-Code").orElse(null));
  }

  @Test
  void aVisionModelAnswersAsBefore() throws Exception {
    String image =
        Base64.getEncoder()
            .encodeToString(
                VisionRepository.encode(io.flexserve.models.vision.Pixels.synthetic(96, 5), "png"));
    JsonNode r =
        ok(
            http.post(
                "/v2/models/" + VISION + "/versions/1/infer",
                "{\"inputs\":[{\"name\":\"image\",\"datatype\":"
                    + "\"BYTES\",\"shape\":[1],\"data\":[\""
                    + image
                    + "\"]}],\"parameters\":{\"resolution\":32}}"));
    OipSchema.inferenceResponse(r);
    assertEquals("summary", r.get("outputs").get(0).get("name").asText());
  }

  @Test
  void errorsAreTheProtocolsErrorObject_withTheirStatus() throws Exception {
    record Bad(String method, String path, String body, int status) {}
    String text =
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"x\"]}]}";
    List<Bad> cases =
        List.of(
            new Bad("GET", "/v2/models/nope", null, 404),
            new Bad("GET", "/v2/models/nope/ready", null, 404),
            new Bad("GET", "/v2/models/" + ENCODER + "/versions/2", null, 404),
            new Bad("GET", "/v2/models/" + ENCODER + "/versions/2/ready", null, 404),
            new Bad("POST", "/v2/models/nope/infer", text, 404),
            new Bad("POST", "/v2/models/" + ENCODER + "/versions/2/infer", text, 404),
            new Bad("POST", "/v2/models/" + ENCODER + "/infer", "{\"inputs\":[]}", 400),
            new Bad(
                "POST",
                "/v2/models/" + ENCODER + "/infer",
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\","
                    + "\"shape\":[2],\"data\":[\"x\"]}]}",
                400),
            new Bad(
                "POST",
                "/v2/models/" + ENCODER + "/infer",
                "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"FP16\","
                    + "\"shape\":[1],\"data\":[1]}]}",
                422),
            new Bad(
                "POST",
                "/v2/models/" + DECODER + "/infer",
                "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\","
                    + "\"shape\":[1,1],\"data\":[99999]}]}",
                422),
            new Bad("POST", "/v2/models/" + DECODER + "/infer", "not json", 400));
    for (Bad c : cases) {
      HttpResponse<String> r =
          c.method().equals("GET") ? http.get(c.path()) : http.post(c.path(), c.body());
      assertEquals(c.status(), r.statusCode(), c + " -> " + r.body());
      OipSchema.error(JSON.readTree(r.body()));
      assertTrue(
          r.headers().firstValue("X-Error-Code").isPresent(),
          c + ": the stable code is in X-Error-Code");
      assertTrue(r.headers().firstValue("X-Request-Id").isPresent(), c.toString());
    }
  }

  private HttpResponse<byte[]> binary(String path, String header, byte[] tail) throws Exception {
    byte[] head = header.getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, body, head.length, tail.length);
    URI uri = server.getURI().resolve(path);
    return CLIENT.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/octet-stream")
            .header("Inference-Header-Content-Length", Integer.toString(head.length))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
