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
 * Faults stay where they happen. The repository holds tinystories and two damaged copies: {@code
 * truncated} (its weights.bin cut short: it fails to load) and {@code overrun} (its manifest claims
 * twice the context the weights have rotary tables for, so a long prompt makes ONNX Runtime fail
 * mid-request). The failed model is reported unready with its reason while the others serve; the
 * failing request gets a 500 whose body quotes the request id, and the same model keeps serving
 * shorter prompts. Manifests that name files outside their folder (absolute paths, {@code ..}, a
 * symlinked weight file) fail to load, and no reason shows a Java class or a server path.
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
        try (FileChannel weights =
            FileChannel.open(truncated.resolve("weights.bin"), StandardOpenOption.WRITE)) {
          weights.truncate(weights.size() / 2);
        }
        Path overrun = copy(source, repo.resolve("overrun"));
        ObjectNode manifest = (ObjectNode) JSON.readTree(overrun.resolve("manifest.json").toFile());
        ObjectNode config = (ObjectNode) manifest.get("config");
        config.put("max_position_embeddings", 2 * config.get("max_position_embeddings").asInt());
        JSON.writeValue(overrun.resolve("manifest.json").toFile(), manifest);
        // manifests that name files outside their folder: absolute, climbing out, and a link that
        // leaves it
        Path outside = source.resolve("full.onnx").toRealPath();
        escape(source, repo.resolve("escape-graph"), "graph", outside.toString());
        escape(
            source,
            repo.resolve("escape-weights"),
            "weights",
            "../../../../../../../../etc/passwd");
        escape(source, repo.resolve("escape-tokenizer"), "tokenizer", "/etc/passwd");
        Path link = copy(source, repo.resolve("escape-link"));
        Files.delete(link.resolve("weights.bin"));
        Files.createSymbolicLink(
            link.resolve("weights.bin"), source.resolve("weights.bin").toRealPath());
        Path broken = copy(source, repo.resolve("broken-json"));
        Files.writeString(
            broken.resolve("manifest.json"),
            Files.readString(broken.resolve("manifest.json"))
                .replaceFirst("\"version\"\\s*:\\s*1", "\"version\" : \"one\""));
      }
      // the failed models are the point here: let the server report ready with them
      // (readinessNamesTheFailedModels
      // checks the default in a server of its own)
      return Map.of(
          "flexserve.model-dir", repo.toString(), "flexserve.ready-with-failed-models", "true");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A copy of {@code source} whose manifest field {@code field} (top level, or every sub-network's
   * graph) is {@code value}.
   */
  private static void escape(Path source, Path to, String field, String value) throws Exception {
    copy(source, to);
    ObjectNode manifest = (ObjectNode) JSON.readTree(to.resolve("manifest.json").toFile());
    if (field.equals("graph")) {
      manifest.get("subnets").forEach(s -> ((ObjectNode) s).put("graph", value));
    } else {
      manifest.put(field, value);
    }
    JSON.writeValue(to.resolve("manifest.json").toFile(), manifest);
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
    HttpResponse<String> r =
        http.post(
            "/v1/completions", "{\"model\":\"truncated\",\"prompt\":\"Once\",\"max_tokens\":2}");
    assertEquals(503, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals("model_failed", error.get("code").asText());
    assertTrue(
        error.get("message").asText().contains("weights.bin"),
        "the reason names the file: " + error);
    assertEquals(200, http.get("/v2/models/tinystories/ready").statusCode());
    assertEquals(200, complete("tinystories", "Once upon a time").statusCode());
  }

  @Test
  void manifestsThatNameFilesOutsideTheirFolderFailToLoad_withoutLeakingClassesOrPaths()
      throws Exception {
    Path repo = Path.of("target/test-fault-repo").toAbsolutePath();
    for (String model :
        new String[] {"escape-graph", "escape-weights", "escape-tokenizer", "escape-link"}) {
      assertEquals(503, http.get("/v2/models/" + model + "/ready").statusCode(), model);
      HttpResponse<String> r = complete(model, "Once");
      assertEquals(503, r.statusCode(), model + ": " + r.body());
      String message = JSON.readTree(r.body()).get("error").get("message").asText();
      assertTrue(message.contains("outside the model folder"), model + ": " + message);
      assertNoInternals(message, repo);
    }
    for (String model : new String[] {"truncated", "broken-json"}) {
      String message =
          JSON.readTree(complete(model, "Once").body()).get("error").get("message").asText();
      assertNoInternals(message, repo);
      assertNoInternals(http.get("/v2/models/" + model).body(), repo);
    }
    assertEquals(200, complete("tinystories", "Once upon a time").statusCode());
  }

  @Test
  void readinessNamesTheFailedModels() throws Exception {
    HttpResponse<String> ready = http.get("/v2/health/ready");
    assertEquals(200, ready.statusCode(), "ready-with-failed-models=true: " + ready.body());
    JsonNode failed = JSON.readTree(ready.body()).get("failed_models");
    assertTrue(failed.has("truncated") && failed.has("escape-link"), ready.body());
    assertNoInternals(ready.body(), Path.of("target/test-fault-repo").toAbsolutePath());
    // the default: a server with a failed model is not ready, and says which and why
    try (io.micronaut.runtime.server.EmbeddedServer strict =
        io.micronaut.context.ApplicationContext.run(
            io.micronaut.runtime.server.EmbeddedServer.class,
            Map.of(
                "flexserve.model-dir",
                Path.of("target/test-fault-repo").toAbsolutePath().toString(),
                "micronaut.server.port",
                "-1"))) {
      ModelCatalog c = strict.getApplicationContext().getBean(ModelCatalog.class);
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (!c.loadingFinished() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(strict.getURI().resolve("/v2/health/ready"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(JSON.readTree(r.body()).get("failed_models").has("truncated"), r.body());
    }
  }

  private static void assertNoInternals(String text, Path repo) {
    for (String leak :
        new String[] {"java.", "Exception", "jackson", repo.toString(), "/etc/passwd"}) {
      assertTrue(!text.contains(leak), "'" + leak + "' in: " + text);
    }
  }

  @Test
  void anOnnxRuntimeFailureIsA500WithTheRequestId_andTheModelKeepsServing() throws Exception {
    String longPrompt =
        "Once upon a time there was a little girl. ".repeat(60); // > 512 tokens, < 1024
    HttpResponse<String> r = complete("overrun", longPrompt);
    assertEquals(500, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals("inference_failed", error.get("code").asText());
    assertEquals(
        r.headers().firstValue("X-Request-Id").orElseThrow(), error.get("request_id").asText());
    assertEquals(
        200,
        complete("overrun", "Once upon a time").statusCode(),
        "the same model serves the next request");
    assertEquals(200, complete("tinystories", "Once upon a time").statusCode());
  }

  private HttpResponse<String> complete(String model, String prompt) throws Exception {
    return http.post(
        "/v1/completions",
        JSON.createObjectNode()
            .put("model", model)
            .put("prompt", prompt)
            .put("max_tokens", 2)
            .toString());
  }
}
