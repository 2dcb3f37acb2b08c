package io.flexserve.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** API keys on with {@code metrics-auth: true} and a rate limit of 1/s, burst 2, per key. */
@MicronautTest
@Property(name = "flexserve.api-keys", value = "rate-key-a,rate-key-b,metrics-key")
@Property(name = "flexserve.metrics-auth", value = "true")
@Property(name = "flexserve.rate-limit-per-key", value = "1")
@Property(name = "flexserve.rate-limit-burst", value = "2")
class MetricsAuthAndRateLimitTest {
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  @Inject JsonMapper json;
  ServerHarness http;

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  @Test
  void metricsNeedAKey_whenMetricsAuthIsOn_healthStillOpen() throws Exception {
    AuthTest.assertUnauthorized(json, http.get("/metrics"));
    AuthTest.assertUnauthorized(json, http.get("/metrics", "Authorization", "Bearer wrong"));
    HttpResponse<String> ok = http.get("/metrics", "Authorization", "Bearer metrics-key");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(200, http.get("/v2/health/live").statusCode());
    assertEquals(200, http.get("/v2/health/ready").statusCode());
  }

  @Test
  void thirdImmediateRequest_gets429WithRetryAfter_otherKeysUnaffected() throws Exception {
    String[] a = {"Authorization", "Bearer rate-key-a"};
    assertEquals(200, http.get("/v1/models", a).statusCode());
    assertEquals(200, http.get("/v1/models", a).statusCode());
    HttpResponse<String> limited = http.get("/v1/models", a);
    assertEquals(429, limited.statusCode(), limited.body());
    assertEquals("1", limited.headers().firstValue("Retry-After").orElse(null));
    assertTrue(
        limited.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode error = json.readValue(limited.body(), JsonNode.class).get("error");
    assertEquals("rate_limited", error.get("code").getStringValue());
    assertEquals("rate_limit_error", error.get("type").getStringValue());

    String[] b = {"Authorization", "Bearer rate-key-b"};
    HttpResponse<String> other = http.post("/v1/embeddings", "{\"input\":\"hi\"}", b);
    assertEquals(200, other.statusCode(), other.body());
    assertEquals(200, http.get("/v1/models", b).statusCode());

    // an unknown key is refused as 401 before rate limiting, and does not use up anyone's tokens
    AuthTest.assertUnauthorized(json, http.get("/v1/models", "Authorization", "Bearer rate-key-c"));

    Thread.sleep(1100); // one token back
    assertEquals(200, http.get("/v1/models", a).statusCode());
  }
}
