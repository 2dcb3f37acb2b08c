package io.flexserve.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.context.annotation.Property;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** API keys on, {@code /metrics} open (the default), no rate limit. */
@MicronautTest
@Property(name = "flexserve.api-keys", value = "test-key-one,test-key-two")
class AuthTest {
  static final String EMBED = "{\"input\":\"hello\"}";
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  @Inject JsonMapper json;
  ServerHarness http;

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  static void assertUnauthorized(JsonMapper json, HttpResponse<String> r) throws Exception {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode error = json.readValue(r.body(), JsonNode.class).get("error");
    if (r.uri()
        .getPath()
        .startsWith(
            "/v2")) { // the Open Inference Protocol's error: a message, the code in a header
      assertFalse(error.getStringValue().isBlank());
      assertEquals("invalid_api_key", r.headers().firstValue("X-Error-Code").orElse(null));
    } else {
      assertEquals("authentication_error", error.get("type").getStringValue());
      assertEquals("invalid_api_key", error.get("code").getStringValue());
      assertFalse(error.get("message").getStringValue().isBlank());
    }
    assertFalse(r.body().contains("test-key"), "a key leaked into the error: " + r.body());
  }

  @Test
  void noKey_gets401JsonError_onEveryProtectedEndpoint() throws Exception {
    assertUnauthorized(json, http.get("/v1/models"));
    assertUnauthorized(json, http.post("/v1/embeddings", EMBED));
    assertUnauthorized(json, http.post("/v1/completions", "{\"prompt\":\"x\"}"));
    assertUnauthorized(json, http.post("/v1/chat/completions", "{\"messages\":[]}"));
    assertUnauthorized(json, http.get("/v2/models/" + ServerHarness.MODEL));
    assertUnauthorized(json, http.get("/v2/models/" + ServerHarness.MODEL + "/ready"));
    assertUnauthorized(
        json, http.get("/no/such/route")); // unknown routes do not reveal themselves either
  }

  @Test
  void wrongOrMalformedKey_gets401() throws Exception {
    assertUnauthorized(json, http.get("/v1/models", "Authorization", "Bearer test-key-three"));
    assertUnauthorized(json, http.get("/v1/models", "Authorization", "Bearer test-key"));
    assertUnauthorized(json, http.get("/v1/models", "Authorization", "Bearer test-key-one-more"));
    assertUnauthorized(json, http.get("/v1/models", "Authorization", "Basic dGVzdC1rZXktb25lOg=="));
    assertUnauthorized(json, http.get("/v1/models", "Authorization", "test-key-one"));
    assertUnauthorized(json, http.get("/v1/models", "Authorization", "Bearer "));
    assertUnauthorized(json, http.post("/v1/embeddings", EMBED, "Authorization", "Bearer wrong"));
  }

  @Test
  void rightKey_isServed() throws Exception {
    HttpResponse<String> models = http.get("/v1/models", "Authorization", "Bearer test-key-one");
    assertEquals(200, models.statusCode(), models.body());
    assertTrue(models.body().contains(ServerHarness.MODEL));
    HttpResponse<String> emb =
        http.post("/v1/embeddings", EMBED, "Authorization", "Bearer test-key-two");
    assertEquals(200, emb.statusCode(), emb.body());
    assertTrue(emb.body().contains("\"embedding\""));
    HttpResponse<String> lower = http.get("/v1/models", "Authorization", "bearer test-key-one");
    assertEquals(200, lower.statusCode(), "the scheme is case-insensitive (RFC 7235)");
  }

  @Test
  void healthProbesAndMetrics_areOpenWithoutKey() throws Exception {
    assertEquals(200, http.get("/v2/health/live").statusCode());
    assertEquals(200, http.get("/v2/health/ready").statusCode());
    HttpResponse<String> metrics = http.get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("flexserve_http_responses_total"));
  }

  @Test
  void refusedRequestsAreCounted() throws Exception {
    http.get("/v1/models");
    HttpResponse<String> metrics = http.get("/metrics");
    assertTrue(
        metrics
            .body()
            .lines()
            .anyMatch(l -> l.startsWith("flexserve_http_responses_total") && l.contains("\"401\"")),
        () ->
            "401s show in flexserve_http_responses_total: "
                + metrics
                    .body()
                    .lines()
                    .filter(l -> l.startsWith("flexserve_http_responses_total"))
                    .toList());
  }
}
