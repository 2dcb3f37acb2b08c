package io.flexserve.server.api;

import static io.flexserve.server.api.ServerHarness.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.transport.RawResponse;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embeddings fast path answers as {@link EmbeddingsController} does. Each request is sent
 * twice: to {@code /v1/embeddings}, which the fast path takes, and to {@code
 * /v1/embeddings?via=framework}, which it leaves to Micronaut (it takes no query string); the fast
 * path's own counter tells which one answered.
 */
@MicronautTest
class EmbeddingsFastPathTest {
  private static final String FAST = "flexserve_embeddings_fast_path_responses_total";
  private static final String[] ROUTING_HEADERS = {
    "X-Subnet", "X-Queue-Ms", "X-Inference-Ms", "X-Predicted-Ms", "X-Batch-Size"
  };

  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  @Inject JsonMapper json;
  ServerHarness http;

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  /** Both answers to one request, and whether each went the way the test meant. */
  private record Pair(HttpResponse<String> fast, HttpResponse<String> framework) {}

  private Pair both(String body, String... headers) throws Exception {
    double before = fastCount();
    HttpResponse<String> fast = http.post("/v1/embeddings", body, headers);
    double between = fastCount();
    HttpResponse<String> framework = http.post("/v1/embeddings?via=framework", body, headers);
    assertEquals(
        before + 1, between, "the fast path answered " + body + " (" + FAST + " counted it)");
    assertEquals(between, fastCount(), "Micronaut answered the ?via=framework twin");
    return new Pair(fast, framework);
  }

  private double fastCount() throws Exception {
    double total = 0;
    for (String status : List.of("200", "400", "404", "413", "422", "429")) {
      total += http.metric(FAST + "{status=\"" + status + "\",}");
    }
    return total;
  }

  @Test
  void servedAnswers_matchTheController_bodyAndHeaders() throws Exception {
    for (String body :
        List.of(
            "{\"model\":\"" + MODEL + "\",\"input\":\"The cat sat on the mat.\"}",
            "{\"input\":[\"first sentence\",\"a second, longer sentence\"]}",
            "{\"input\":\"base64 please\",\"encoding_format\":\"base64\"}")) {
      Pair p = both(body, "X-Subnet", "full", "X-Latency-Target-Ms", "5000");
      assertEquals(200, p.fast().statusCode(), p.fast().body());
      assertEquals(200, p.framework().statusCode(), p.framework().body());
      assertEquals(contentType(p.framework()), contentType(p.fast()));
      for (String h : ROUTING_HEADERS) {
        assertTrue(p.fast().headers().firstValue(h).isPresent(), h + " on the fast path");
      }
      assertEquals("full", p.fast().headers().firstValue("X-Subnet").orElseThrow());
      assertEquals("true", p.fast().headers().firstValue("X-Deadline-Met").orElseThrow());
      assertTrue(p.fast().headers().firstValue("Date").isPresent(), "Date (RFC 9110)");
      assertTrue(p.fast().headers().firstValue("X-Request-Id").isPresent());
      JsonNode a = json.readValue(p.fast().body(), JsonNode.class);
      JsonNode b = json.readValue(p.framework().body(), JsonNode.class);
      assertEquals(b.get("model"), a.get("model"));
      assertEquals(b.get("usage"), a.get("usage"));
      assertEquals(b.get("data").size(), a.get("data").size());
      for (int i = 0; i < a.get("data").size(); i++) {
        JsonNode x = a.get("data").get(i).get("embedding");
        JsonNode y = b.get("data").get(i).get("embedding");
        if (x.isString()) {
          assertEquals(y.getStringValue(), x.getStringValue(), "base64 embedding " + i);
        } else {
          assertEquals(y.size(), x.size());
          for (int j = 0; j < x.size(); j++) {
            assertEquals(
                y.get(j).getNumberValue().doubleValue(),
                x.get(j).getNumberValue().doubleValue(),
                1e-5,
                "embedding " + i + " value " + j);
          }
        }
      }
    }
  }

  @Test
  void answersWritten_reportTheirTails_toTheModelsResponseMargin() throws Exception {
    var tail =
        io.flexserve.server.encoder.ServedEncoder.from(catalog, MODEL).scheduler().responseTail();
    long before = tail.observed();
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.post("/v1/embeddings", "{\"input\":\"tail " + i + "\"}").statusCode());
    }
    // the tail is observed once the answer is written, which the client may see first
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (tail.observed() < before + 3) {
      assertTrue(System.nanoTime() < deadline, "3 answers' tails observed");
      Thread.sleep(10);
    }
    assertTrue(tail.marginMillis() >= tail.floorMillis());
  }

  @Test
  void errors_matchTheController_statusCodeAndBody() throws Exception {
    String[][] cases = {
      {"{\"input\":", "400"},
      {"[1,2]", "400"},
      {"{\"input\":\"x\",\"model\":\"no-such-model\"}", "404"},
      {"{\"input\":\"x\",\"encoding_format\":\"hex\"}", "422"},
      {"{\"input\":[]}", "422"},
    };
    for (String[] c : cases) {
      Pair p = both(c[0]);
      assertEquals(Integer.parseInt(c[1]), p.fast().statusCode(), c[0] + ": " + p.fast().body());
      assertEquals(p.framework().statusCode(), p.fast().statusCode(), c[0]);
      assertEquals(withoutRequestId(p.framework()), withoutRequestId(p.fast()), c[0]);
      assertEquals(
          p.fast().headers().firstValue("X-Request-Id").orElseThrow(),
          json.readValue(p.fast().body(), JsonNode.class)
              .get("error")
              .get("request_id")
              .getStringValue(),
          "the body quotes the response's id");
    }
    Pair badHeader = both("{\"input\":\"x\"}", "X-Latency-Target-Ms", "soon");
    assertEquals(400, badHeader.fast().statusCode());
    assertEquals(withoutRequestId(badHeader.framework()), withoutRequestId(badHeader.fast()));
    Pair id = both("{\"input\":\"x\"}", "X-Request-Id", "client-id-42");
    assertEquals("client-id-42", id.fast().headers().firstValue("X-Request-Id").orElseThrow());
  }

  private JsonNode withoutRequestId(HttpResponse<String> r) throws IOException {
    Map<String, Object> tree = json.readValue(r.body(), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> error = new LinkedHashMap<>((Map<String, Object>) tree.get("error"));
    error.remove("request_id");
    return json.writeValueToTree(Map.of("error", error));
  }

  private static String contentType(HttpResponse<String> r) {
    return r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
  }

  @Test
  void pipelinedRequests_mixedWithOtherRoutes_areAnsweredInOrder() throws Exception {
    String embed = "{\"input\":\"pipelined\"}";
    String post =
        "POST /v1/embeddings HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + embed.length()
            + "\r\n\r\n"
            + embed;
    String models = "GET /v1/models HTTP/1.1\r\nHost: t\r\n\r\n";
    String live = "GET /v2/health/live HTTP/1.1\r\nHost: t\r\n\r\n";
    try (Socket socket = new Socket(server.getHost(), server.getPort())) {
      socket.setSoTimeout(30_000);
      // all in one write: the second embeddings request arrives while /v1/models is outstanding
      socket
          .getOutputStream()
          .write((post + models + post + live + post).getBytes(StandardCharsets.UTF_8));
      InputStream in = socket.getInputStream();
      List<String> bodies = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        RawResponse r = RawResponse.read(in);
        assertEquals(200, r.status(), "answer " + i + ": " + r.body());
        bodies.add(r.body());
      }
      assertTrue(bodies.get(0).contains("\"object\":\"list\""), bodies.get(0));
      assertTrue(bodies.get(1).contains("\"subnets\""), "second: /v1/models, " + bodies.get(1));
      assertTrue(bodies.get(2).contains("\"embedding\""), bodies.get(2));
      assertTrue(!bodies.get(3).contains("\"embedding\""), "fourth: health, " + bodies.get(3));
      assertTrue(bodies.get(4).contains("\"embedding\""), bodies.get(4));
    }
  }
}
