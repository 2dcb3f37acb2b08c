package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The bad-input catalogue over every endpoint of a server holding both model kinds (MiniLM and
 * tinystories): each malformed, mistyped, empty, huge or mis-headed request gets its status and the
 * one JSON error body with a request id, and the server answers a normal request right after each.
 * Also: cut-off request bodies, timeouts (504, the server keeps serving) and request ids. Limits
 * from application-test.yml: 64 KiB bodies, 8 inputs.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryEndpointBadInputTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  static final byte[] BAD_UTF8 = {
    '{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
  };
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    try {
      Path repo =
          io.flexserve.server.api.LinkedRepository.of(
              "test-mixed-repo",
              Map.of(
                  TinyStoriesRepository.MODEL,
                      TinyStoriesRepository.ensure().resolve(TinyStoriesRepository.MODEL),
                  ServerHarness.MODEL,
                      MiniLmDefault.ensureBundle(
                              Path.of("target/test-cache"), SessionConfig.cpu(1), (s, d, t) -> {})
                          .toAbsolutePath()));
      return Map.of("flexserve.model-dir", repo.toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  /**
   * A request and what it must get; JSON object bodies without a {@code model} name the endpoint's
   * model.
   */
  record Case(String name, String path, byte[] body, int status, String code, String... headers) {
    Case(String name, String path, String body, int status, String code, String... headers) {
      this(
          name,
          path,
          withModel(path, body).getBytes(StandardCharsets.UTF_8),
          status,
          code,
          headers);
    }
  }

  static String withModel(String path, String body) {
    if (!body.startsWith("{\"") || body.contains("\"model\"")) {
      return body;
    }
    return "{\"model\":\""
        + (path.equals(E) ? ServerHarness.MODEL : TinyStoriesRepository.MODEL)
        + "\","
        + body.substring(1);
  }

  static final String C = "/v1/completions";
  static final String CHAT = "/v1/chat/completions";
  static final String E = "/v1/embeddings";
  static final String OK_PROMPT =
      "{\"model\":\"tinystories\",\"prompt\":\"Once upon a time\",\"max_tokens\":2}";

  @TestFactory
  Stream<DynamicTest> everyBadRequestGetsItsStatusAndJsonError_andTheServerKeepsServing() {
    List<Case> cases = new ArrayList<>();
    for (String path : List.of(C, CHAT, E)) {
      cases.add(new Case("not json", path, "{prompt: nope", 400, "invalid_json"));
      cases.add(new Case("empty body", path, "", 400, "invalid_json"));
      cases.add(new Case("a json array", path, "[1,2]", 400, "invalid_json"));
      cases.add(new Case("truncated json", path, "{\"prompt\":\"abc", 400, "invalid_json"));
      cases.add(
          new Case(
              "body over the limit",
              path,
              "{\"prompt\":\"" + "a".repeat(70_000) + "\"}",
              413,
              "body_too_large"));
      cases.add(
          new Case(
              "non-numeric latency target",
              path,
              OK_PROMPT,
              400,
              "invalid_header",
              "X-Latency-Target-Ms",
              "soon"));
      cases.add(
          new Case(
              "negative latency target",
              path,
              OK_PROMPT,
              422,
              "invalid_header",
              "X-Latency-Target-Ms",
              "-1"));
      cases.add(
          new Case(
              "infinite latency target",
              path,
              OK_PROMPT,
              422,
              "invalid_header",
              "X-Latency-Target-Ms",
              "Infinity"));
      cases.add(
          new Case(
              "non-numeric timeout",
              path,
              OK_PROMPT,
              400,
              "invalid_header",
              "X-Request-Timeout-Ms",
              "1s"));
      cases.add(
          new Case(
              "zero timeout", path, OK_PROMPT, 422, "invalid_header", "X-Request-Timeout-Ms", "0"));
      cases.add(
          new Case(
              "bad deadline policy",
              path,
              OK_PROMPT,
              400,
              "invalid_header",
              "X-Deadline-Policy",
              "maybe"));
    }
    cases.addAll(
        List.of(
            new Case("invalid utf-8", C, BAD_UTF8, 400, "invalid_utf8"),
            new Case("prompt is a number", C, "{\"prompt\":42}", 400, "wrong_type"),
            new Case(
                "prompt is token ids (valid OpenAI, unsupported)",
                C,
                "{\"prompt\":[1,2,3]}",
                422,
                "unsupported_value"),
            new Case("missing prompt", C, "{\"max_tokens\":3}", 400, "missing_field"),
            new Case("empty prompt", C, "{\"prompt\":\"\"}", 422, "empty_prompt"),
            new Case(
                "max_tokens a string",
                C,
                "{\"prompt\":\"Once\",\"max_tokens\":\"ten\"}",
                400,
                "wrong_type"),
            new Case(
                "max_tokens zero",
                C,
                "{\"prompt\":\"Once\",\"max_tokens\":0}",
                422,
                "invalid_value"),
            new Case(
                "max_tokens negative",
                C,
                "{\"prompt\":\"Once\",\"max_tokens\":-3}",
                422,
                "invalid_value"),
            new Case(
                "max_tokens beyond the context",
                C,
                "{\"prompt\":\"Once\",\"max_tokens\":5000}",
                400,
                "context_length_exceeded"),
            new Case(
                "max_tokens overflowing",
                C,
                "{\"prompt\":\"Once\",\"max_tokens\":99999999999999}",
                422,
                "invalid_value"),
            new Case(
                "prompt beyond the context",
                C,
                "{\"prompt\":\"" + "Once upon a time ".repeat(400) + "\"}",
                400,
                "context_length_exceeded"),
            new Case(
                "temperature a string",
                C,
                "{\"prompt\":\"Once\",\"temperature\":\"hot\"}",
                400,
                "wrong_type"),
            new Case(
                "temperature negative",
                C,
                "{\"prompt\":\"Once\",\"temperature\":-1}",
                422,
                "invalid_value"),
            new Case(
                "top_p above 1", C, "{\"prompt\":\"Once\",\"top_p\":1.5}", 422, "invalid_value"),
            new Case(
                "top_k negative", C, "{\"prompt\":\"Once\",\"top_k\":-2}", 422, "invalid_value"),
            new Case(
                "stream not a boolean",
                C,
                "{\"prompt\":\"Once\",\"stream\":\"yes\"}",
                400,
                "wrong_type"),
            new Case("stop a number", C, "{\"prompt\":\"Once\",\"stop\":5}", 400, "wrong_type"),
            new Case("n = 2", C, "{\"prompt\":\"Once\",\"n\":2}", 422, "unsupported_parameter"),
            new Case(
                "unknown model",
                C,
                "{\"prompt\":\"Once\",\"model\":\"gpt-9\"}",
                404,
                "model_not_found"),
            new Case(
                "no model while two are served",
                C,
                "{\"prompt\":\"Once\",\"model\":\"\"}",
                400,
                "missing_field"),
            new Case(
                "an encoder asked to generate",
                C,
                "{\"prompt\":\"Once\",\"model\":\"all-minilm-l6-v2\"}",
                400,
                "wrong_model_type"),
            new Case(
                "unknown sub-network", C, OK_PROMPT, 422, "unknown_subnet", "X-Subnet", "huge"),
            new Case(
                "non-numeric TTFT target",
                C,
                OK_PROMPT,
                400,
                "invalid_header",
                "X-TTFT-Target-Ms",
                "fast"),
            new Case(
                "negative TPOT target",
                C,
                OK_PROMPT,
                422,
                "invalid_header",
                "X-TPOT-Target-Ms",
                "-2"),
            new Case("messages missing", CHAT, "{\"max_tokens\":2}", 400, "missing_field"),
            new Case("messages empty", CHAT, "{\"messages\":[]}", 422, "empty_messages"),
            new Case(
                "messages an object",
                CHAT,
                "{\"messages\":{\"role\":\"user\"}}",
                400,
                "wrong_type"),
            new Case(
                "a message without content",
                CHAT,
                "{\"messages\":[{\"role\":\"user\"}]}",
                400,
                "wrong_type"),
            new Case(
                "content a number",
                CHAT,
                "{\"messages\":[{\"role\":\"user\",\"content\":7}]}",
                400,
                "wrong_type"),
            new Case(
                "unknown role",
                CHAT,
                "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}",
                422,
                "invalid_role"),
            new Case("input missing", E, "{\"model\":\"all-minilm-l6-v2\"}", 400, "missing_field"),
            new Case("input a number", E, "{\"input\":42}", 400, "wrong_type"),
            new Case("empty input", E, "{\"input\":\"\"}", 422, "empty_input"),
            new Case(
                "too many inputs",
                E,
                "{\"input\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}",
                413,
                "too_many_inputs"),
            new Case(
                "a decoder asked to embed",
                E,
                "{\"input\":\"hi\",\"model\":\"tinystories\"}",
                400,
                "wrong_model_type")));
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.path() + ": " + c.name(),
                    () -> {
                      HttpResponse<String> r = http.post(c.path(), c.body(), c.headers());
                      String what = c.path() + " " + c.name() + ": " + r.body();
                      assertEquals(c.status(), r.statusCode(), what);
                      assertJsonError(r, c.code(), what);
                      assertServing();
                    }));
  }

  @Test
  void unknownFieldsAreIgnoredAsOpenAiClientsSendExtras() throws Exception {
    assertEquals(
        200,
        http.post(
                C,
                "{\"model\":\"tinystories\",\"prompt\":\"Once\",\"max_tokens\":2,\"user\":\"u1\",\"frequency_penalty\":0}")
            .statusCode());
    assertEquals(
        200,
        http.post(
                CHAT,
                "{\"model\":\"tinystories\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"name\":\"x\"}],\"max_tokens\":2,\"user\":\"u\"}")
            .statusCode());
    assertEquals(
        200,
        http.post(
                E,
                "{\"input\":\"hi\",\"model\":\"all-minilm-l6-v2\",\"user\":\"u1\",\"dimensions\":null}")
            .statusCode());
  }

  @Test
  void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
    HttpResponse<String> r = http.get("/v1/nothing-here");
    assertEquals(404, r.statusCode());
    assertJsonError(r, "route_not_found", r.body());
    HttpResponse<String> m = http.get(C);
    assertEquals(405, m.statusCode(), m.body());
    assertJsonError(m, "method_not_allowed", m.body());
    assertEquals(
        404,
        http.get("/v2/models/..%2F..%2Fetc%2Fpasswd").statusCode(),
        "no path traversal into the repository");
  }

  /**
   * Bodies that end before their Content-Length, or chunked bodies cut off: the server drops them,
   * keeps serving.
   */
  @Test
  void truncatedRequestBodiesDoNotHurtTheServer() throws Exception {
    for (String path : List.of(C, CHAT, E)) {
      rawThenHangUp(
          "POST "
              + path
              + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
              + "{\"prompt\":\"Once upon");
      rawThenHangUp(
          "POST "
              + path
              + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "40\r\n{\"prompt\":\"Once upon");
      rawThenHangUp("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Ty");
      assertServing();
    }
    // a declared length over the limit is refused before the body is read
    try (Socket s = new Socket(server.getHost(), server.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("POST "
                      + C
                      + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 999999999\r\n\r\n{")
                  .getBytes(StandardCharsets.UTF_8));
      String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.UTF_8);
      assertEquals("HTTP/1.1 413", head);
    }
    assertServing();
  }

  @Test
  void aRequestPastItsTimeoutGets504AndTheServerKeepsServing() throws Exception {
    double before = timeouts();
    String eight =
        JSON.writeValueAsString(
            Map.of(
                "model",
                ServerHarness.MODEL,
                "input",
                java.util.Collections.nCopies(8, "word ".repeat(200))));
    HttpResponse<String> r = http.post(E, eight, "X-Request-Timeout-Ms", "2", "X-Subnet", "full");
    assertEquals(504, r.statusCode(), r.body());
    assertJsonError(r, "request_timeout", r.body());
    HttpResponse<String> g =
        http.post(
            C,
            "{\"model\":\"tinystories\",\"prompt\":\"Once upon a time\",\"max_tokens\":400,\"temperature\":0}",
            "X-Request-Timeout-Ms",
            "5"); // 400 tokens take ~100 ms; a story rarely ends (EOS) within 5 ms
    assertEquals(504, g.statusCode(), g.body());
    assertJsonError(g, "request_timeout", g.body());
    assertTrue(timeouts() >= before + 2, "counted in flexserve_request_timeouts_total");
    assertServing();
    assertEquals(
        0.0,
        http.metric("flexserve_generations_running{model=\"tinystories\",}"),
        "the timed-out row was freed");
  }

  @Test
  void everyResponseHasARequestId_andAPlainClientIdIsKept() throws Exception {
    HttpResponse<String> ok = http.post(E, "{\"input\":\"hi\",\"model\":\"all-minilm-l6-v2\"}");
    assertTrue(
        ok.headers().firstValue("X-Request-Id").orElse("").matches("[0-9a-f]{32}"),
        ok.headers().map().toString());
    HttpResponse<String> mine = http.post(C, OK_PROMPT, "X-Request-Id", "trace-42.a:b");
    assertEquals("trace-42.a:b", mine.headers().firstValue("X-Request-Id").orElseThrow());
    HttpResponse<String> injected = http.post(C, "{}", "X-Request-Id", "../../etc/passwd; rm -rf");
    String id = injected.headers().firstValue("X-Request-Id").orElseThrow();
    assertTrue(id.matches("[0-9a-f]{32}"), "an unsafe id is replaced: " + id);
    assertEquals(
        id,
        JSON.readTree(injected.body()).get("error").get("request_id").asText(),
        "the error body quotes it");
  }

  private void assertJsonError(HttpResponse<String> r, String code, String what) throws Exception {
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals(code, error.get("code").asText(), what);
    assertFalse(error.get("message").asText().isBlank(), what);
    assertEquals(
        r.headers().firstValue("X-Request-Id").orElseThrow(),
        error.get("request_id").asText(),
        what);
    assertFalse(
        r.body().contains("at io.") || r.body().contains("Exception"),
        "stack trace leaked: " + what);
  }

  private void assertServing() throws Exception {
    assertEquals(200, http.post(C, OK_PROMPT).statusCode(), "completions still served");
    assertEquals(
        200,
        http.post(E, "{\"input\":\"still serving\",\"model\":\"all-minilm-l6-v2\"}").statusCode());
  }

  private void rawThenHangUp(String request) throws Exception {
    try (Socket s = new Socket(server.getHost(), server.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      s.shutdownOutput();
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      in.readAllBytes(); // whatever the server says (a 400, or nothing) until it closes
    } catch (java.net.SocketTimeoutException e) {
      // the server waits for the rest of a body that never comes; hanging up must not hurt it
    }
  }

  private double timeouts() throws Exception {
    double sum = 0;
    for (String line : http.get("/metrics").body().split("\n")) {
      if (line.startsWith("flexserve_request_timeouts_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
