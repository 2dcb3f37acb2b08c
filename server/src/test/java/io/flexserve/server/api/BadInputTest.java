package io.flexserve.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad input gets the right status and the one JSON error shape, never a stack trace, and the
 * server answers a normal request right after each. Limits come from application-test.yml: 8
 * inputs, 64 KiB bodies.
 */
@MicronautTest
class BadInputTest {
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  @Inject JsonMapper json;
  ServerHarness http;

  record Case(String name, byte[] body, int status, String code, String... headers) {
    Case(String name, String body, int status, String code, String... headers) {
      this(name, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), status, code, headers);
    }
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  @TestFactory
  Stream<DynamicTest> everyBadInput_getsItsStatusAndJsonError_andServerKeepsServing() {
    String many = "[" + String.join(",", java.util.Collections.nCopies(9, "\"x\"")) + "]";
    List<Case> cases =
        List.of(
            new Case("not json", "{input: nope", 400, "invalid_json"),
            new Case("empty body", "", 400, "invalid_json"),
            new Case("json array, not object", "[1,2]", 400, "invalid_json"),
            new Case("truncated json", "{\"input\":\"abc", 400, "invalid_json"),
            new Case("missing input", "{\"model\":\"all-minilm-l6-v2\"}", 400, "missing_field"),
            new Case("null input", "{\"input\":null}", 400, "missing_field"),
            new Case("input is a number", "{\"input\":42}", 400, "wrong_type"),
            new Case("input is an object", "{\"input\":{\"a\":1}}", 400, "wrong_type"),
            new Case("non-string item", "{\"input\":[\"ok\",7]}", 400, "wrong_type"),
            new Case("token-id arrays", "{\"input\":[[1,2,3]]}", 400, "wrong_type"),
            new Case("model not a string", "{\"input\":\"x\",\"model\":5}", 400, "wrong_type"),
            new Case("empty string", "{\"input\":\"\"}", 422, "empty_input"),
            new Case("blank item", "{\"input\":[\"ok\",\"   \"]}", 422, "empty_input"),
            new Case("empty array", "{\"input\":[]}", 422, "empty_input"),
            new Case(
                "bad encoding_format",
                "{\"input\":\"x\",\"encoding_format\":\"int8\"}",
                422,
                "invalid_value"),
            new Case(
                "dimensions (the encoder is not trained for it)",
                "{\"input\":\"x\",\"dimensions\":64}",
                422,
                "unsupported_parameter"),
            new Case(
                "a field the endpoint does not serve",
                "{\"input\":\"x\",\"temperature\":0.5}",
                422,
                "unsupported_parameter"),
            new Case("too many inputs", "{\"input\":" + many + "}", 413, "too_many_inputs"),
            new Case(
                "body over limit",
                "{\"input\":\"" + "a".repeat(70_000) + "\"}",
                413,
                "body_too_large"),
            new Case(
                "unknown model", "{\"input\":\"x\",\"model\":\"gpt-9\"}", 404, "model_not_found"),
            new Case(
                "invalid utf-8",
                new byte[] {
                  '{',
                  '"',
                  'i',
                  'n',
                  'p',
                  'u',
                  't',
                  '"',
                  ':',
                  '"',
                  (byte) 0xC3,
                  (byte) 0x28,
                  '"',
                  '}'
                },
                400,
                "invalid_utf8"),
            new Case(
                "non-numeric target",
                "{\"input\":\"x\"}",
                400,
                "invalid_header",
                "X-Latency-Target-Ms",
                "fast"),
            new Case(
                "negative target",
                "{\"input\":\"x\"}",
                422,
                "invalid_header",
                "X-Latency-Target-Ms",
                "-5"),
            new Case(
                "zero target",
                "{\"input\":\"x\"}",
                422,
                "invalid_header",
                "X-Latency-Target-Ms",
                "0"),
            new Case(
                "NaN target",
                "{\"input\":\"x\"}",
                422,
                "invalid_header",
                "X-Latency-Target-Ms",
                "NaN"),
            new Case(
                "bad deadline policy",
                "{\"input\":\"x\"}",
                400,
                "invalid_header",
                "X-Deadline-Policy",
                "sometimes"),
            new Case(
                "unknown sub-network",
                "{\"input\":\"x\"}",
                422,
                "unknown_subnet",
                "X-Subnet",
                "tiny-9000"),
            new Case(
                "target sent twice",
                "{\"input\":\"x\"}",
                400,
                "duplicate_header",
                "X-Latency-Target-Ms",
                "50",
                "X-Latency-Target-Ms",
                "5000"),
            new Case(
                "sub-network sent twice",
                "{\"input\":\"x\"}",
                400,
                "duplicate_header",
                "X-Subnet",
                "full",
                "X-Subnet",
                "full"),
            new Case(
                "too many tokens",
                "{\"input\":"
                    + java.util.Collections.nCopies(8, "\"" + "!".repeat(300) + "\"")
                    + "}",
                413,
                "too_many_tokens"),
            new Case("trailing garbage", "{\"input\":\"x\"} garbage", 400, "invalid_json"),
            new Case("two documents", "{\"input\":\"x\"}{\"input\":\"y\"}", 400, "invalid_json"));
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      HttpResponse<String> r = http.post("/v1/embeddings", c.body(), c.headers());
                      assertEquals(c.status(), r.statusCode(), c.name() + ": " + r.body());
                      assertTrue(
                          r.headers()
                              .firstValue("Content-Type")
                              .orElse("")
                              .startsWith("application/json"),
                          c.name());
                      JsonNode error = json.readValue(r.body(), JsonNode.class).get("error");
                      assertEquals(
                          c.code(), error.get("code").getStringValue(), c.name() + ": " + r.body());
                      assertFalse(error.get("message").getStringValue().isBlank());
                      assertFalse(
                          r.body().contains("at io.") || r.body().contains("Exception"),
                          "stack trace leaked: " + r.body());
                      HttpResponse<String> after =
                          http.post("/v1/embeddings", "{\"input\":\"still serving\"}");
                      assertEquals(
                          200, after.statusCode(), "normal request after '" + c.name() + "'");
                    }));
  }

  @org.junit.jupiter.api.Test
  void errors_areCountedInHttpResponses_byRouteAndStatus() throws Exception {
    http.post("/v1/embeddings", "{\"input\":42}");
    http.get("/v1/nothing-here");
    String metrics = http.get("/metrics").body();
    assertTrue(
        metrics.contains(
            "flexserve_http_responses_total{route=\"/v1/embeddings\",status=\"400\",}"),
        metrics);
    assertTrue(
        metrics.contains("flexserve_http_responses_total{route=\"unmatched\",status=\"404\",}"),
        metrics);
  }

  @TestFactory
  Stream<DynamicTest> wrongRoutesAndMethods_getJsonErrors() {
    return Stream.of(
            new Object[] {"GET", "/v1/embeddings", 405},
            new Object[] {"GET", "/v1/nothing-here", 404})
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c[0] + " " + c[1],
                    () -> {
                      HttpResponse<String> r = http.get((String) c[1]);
                      assertEquals((int) c[2], r.statusCode());
                      assertTrue(
                          json.readValue(r.body(), JsonNode.class)
                              .get("error")
                              .get("code")
                              .isString());
                    }));
  }
}
