package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A bundle written by {@code flexserve distill} (the offline tool's own jar, run as a user runs it)
 * is served unchanged: every sub-network generates, and {@code /v1/models} reports the perplexities
 * measured after training.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistilledBundleServingTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL = "tinystories-distilled";
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    try {
      return Map.of("flexserve.model-dir", distilledRepository().toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A repository holding the test bundle distilled for 20 steps by the distill jar (built before
   * the server).
   */
  static Path distilledRepository() throws Exception {
    Path repo = Path.of("target/test-distilled-repo").toAbsolutePath();
    Path out = repo.resolve(MODEL);
    if (!Files.exists(out.resolve(DecoderManifest.FILE))) {
      Path jar =
          Path.of("../models/distill/target/flexserve-distill.jar").toAbsolutePath().normalize();
      assertTrue(Files.exists(jar), "build the distill module first: " + jar);
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dai.djl.offline=true",
                  "-jar",
                  jar.toString(),
                  "--bundle",
                  TinyStoriesRepository.ensure().resolve(TinyStoriesRepository.MODEL).toString(),
                  "--out",
                  out.toString(),
                  "--text",
                  TinyStoriesRepository.shared()
                      .resolve("data/tinystories-valid-more.txt")
                      .toString(),
                  "--steps",
                  "20",
                  "--held-out",
                  "16",
                  "--threads",
                  "2")
              .inheritIO()
              .start();
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "distill did not finish in 5 minutes");
      assertEquals(0, p.exitValue());
    }
    return repo;
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  @Test
  void everySubnetOfTheDistilledBundleIsServedWithItsNewPerplexity() throws Exception {
    DecoderManifest manifest = DecoderManifest.read(distilledRepository().resolve(MODEL));
    assertEquals(20, manifest.distillation().steps());
    HttpResponse<String> models = http.get("/v1/models");
    assertEquals(200, models.statusCode(), models.body());
    JsonNode model = null;
    for (JsonNode m : JSON.readTree(models.body()).get("data")) {
      if (m.get("id").asText().equals(MODEL)) {
        model = m;
      }
    }
    assertTrue(model != null, models.body());
    for (DecoderManifest.Subnet s : manifest.subnets()) {
      JsonNode served = null;
      for (JsonNode n : model.get("subnets")) {
        if (n.get("name").asText().equals(s.name())) {
          served = n;
        }
      }
      assertTrue(served != null, s.name() + " missing from " + model);
      assertEquals(s.perplexity(), served.get("perplexity").asDouble(), 1e-3, s.name());
      HttpResponse<String> r =
          http.post(
              "/v1/completions",
              "{\"model\":\""
                  + MODEL
                  + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}",
              "X-Subnet",
              s.name());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(s.name(), r.headers().firstValue("X-Subnet").orElse(""));
      assertEquals(
          8, JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt(), r.body());
    }
  }
}
