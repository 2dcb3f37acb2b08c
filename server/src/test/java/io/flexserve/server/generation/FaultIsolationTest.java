package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults stay where they happen. The repository holds tinystories and two damaged copies: {@code truncated} (its
 * weights.bin cut short: it fails to load) and {@code overrun} (its manifest claims twice the context the weights
 * have rotary tables for, so a long prompt makes ONNX Runtime fail mid-request). The failed model is reported unready
 * with its reason while the others serve; the failing request gets a 500 whose body quotes the request id, and the
 * same model keeps serving shorter prompts.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultIsolationTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    try {
      Path source = TinyStoriesRepository.ensure().resolve(TinyStoriesRepository.MODEL);
      Path repo = Path.of("target/test-fault-repo").toAbsolutePath();
      if (!Files.exists(repo)) {
        copy(source, repo.resolve(TinyStoriesRepository.MODEL));
        Path truncated = copy(source, repo.resolve("truncated"));
        try (FileChannel weights = FileChannel.open(truncated.resolve("weights.bin"), StandardOpenOption.WRITE)) {
          weights.truncate(weights.size() / 2);
        }
        Path overrun = copy(source, repo.resolve("overrun"));
        ObjectNode manifest = (ObjectNode) JSON.readTree(overrun.resolve("manifest.json").toFile());
        ObjectNode config = (ObjectNode) manifest.get("config");
        config.put("max_position_embeddings", 2 * config.get("max_position_embeddings").asInt());
        JSON.writeValue(overrun.resolve("manifest.json").toFile(), manifest);
      }
      return Map.of("flexserve.model-dir", repo.toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  @Test
  void aModelThatFailsToLoadIsUnreadyWithItsReason_whileTheOthersServe() throws Exception {
    assertEquals(503, http.get("/v2/models/truncated/ready").statusCode());
    HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"truncated\",\"prompt\":\"Once\",\"max_tokens\":2}");
    assertEquals(503, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals("model_failed", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("weights.bin"), "the reason names the file: " + error);
    assertEquals(200, http.get("/v2/models/tinystories/ready").statusCode());
    assertEquals(200, complete("tinystories", "Once upon a time").statusCode());
  }

  @Test
  void anOnnxRuntimeFailureIsA500WithTheRequestId_andTheModelKeepsServing() throws Exception {
    String longPrompt = "Once upon a time there was a little girl. ".repeat(60); // > 512 tokens, < 1024
    HttpResponse<String> r = complete("overrun", longPrompt);
    assertEquals(500, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals("inference_failed", error.get("code").asText());
    assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(), error.get("request_id").asText());
    assertEquals(200, complete("overrun", "Once upon a time").statusCode(), "the same model serves the next request");
    assertEquals(200, complete("tinystories", "Once upon a time").statusCode());
  }

  private HttpResponse<String> complete(String model, String prompt) throws Exception {
    return http.post("/v1/completions", JSON.createObjectNode().put("model", model).put("prompt", prompt)
        .put("max_tokens", 2).toString());
  }
}
