package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code flexserve.precisions=int4} serves the quantized bundle of {@link EoraServingTest} from its
 * int4 entries alone: /v1/models lists no float32 entry, an unforced request runs on int4, and
 * asking for a float32 entry by name is an unknown sub-network.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrecisionFilterTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    Map<String, String> p = new java.util.HashMap<>(new EoraServingTest().getProperties());
    p.put("flexserve.precisions", "int4");
    return p;
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  @Test
  void onlyInt4EntriesAreLoadedAndRouted() throws Exception {
    JsonNode models = JSON.readTree(http.get("/v1/models").body());
    Set<String> precisions = new HashSet<>();
    for (JsonNode m : models.get("data")) {
      if (m.get("id").asText().equals(EoraServingTest.MODEL)) {
        m.get("subnets").forEach(s -> precisions.add(s.get("precision").asText()));
      }
    }
    assertEquals(Set.of("int4"), precisions, models.toString());
    String body =
        JSON.createObjectNode()
            .put("model", EoraServingTest.MODEL)
            .put("prompt", "Once upon a time")
            .put("max_tokens", 4)
            .put("temperature", 0)
            .toString();
    HttpResponse<String> r = http.post("/v1/completions", body);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(
        r.headers().firstValue("X-Subnet").orElseThrow().contains(".int4"),
        r.headers().map().toString());
    HttpResponse<String> fp32 = http.post("/v1/completions", body, "X-Subnet", "full");
    assertTrue(
        fp32.statusCode() == 404 || fp32.statusCode() == 422,
        fp32.statusCode() + " " + fp32.body());
  }
}
