package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAI completion endpoints end to end on the real tinystories-260k model, converted into an
 * elastic bundle.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompletionsApiTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    try {
      return Map.of("flexserve.model-dir", TinyStoriesRepository.ensure().toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  JsonNode golden() throws Exception {
    return JSON.readTree(
        TinyStoriesRepository.shared().resolve("models/tinystories-260k/golden.json").toFile());
  }

  JsonNode post(String path, String body, int status, String... headers) throws Exception {
    HttpResponse<String> r = http.post(path, body, headers);
    assertEquals(status, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void greedyCompletionsOfTheGoldenPromptsEqualGoldenText() throws Exception {
    for (JsonNode c : golden().get("cases")) {
      String body =
          JSON.createObjectNode()
              .put("model", "tinystories")
              .put("prompt", c.get("prompt").asText())
              .put("max_tokens", 32)
              .put("temperature", 0)
              .toString();
      HttpResponse<String> r = http.post("/v1/completions", body);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode out = JSON.readTree(r.body());
      assertEquals("text_completion", out.get("object").asText());
      assertTrue(out.get("id").asText().startsWith("cmpl-"));
      JsonNode choice = out.get("choices").get(0);
      assertEquals(c.get("text").asText(), choice.get("text").asText());
      assertEquals("length", choice.get("finish_reason").asText());
      assertEquals(c.get("prompt_ids").size(), out.get("usage").get("prompt_tokens").asInt());
      assertEquals(32, out.get("usage").get("completion_tokens").asInt());
      assertEquals("full", r.headers().firstValue("X-Subnet").orElseThrow());
      assertEquals(32, out.get("flexserve").get("tokens_per_subnet").get("full").asInt());
    }
  }

  @Test
  void streamedChunksConcatenateToTheSameTextAndEndWithDone() throws Exception {
    JsonNode c = golden().get("cases").get(0);
    String body =
        JSON.createObjectNode()
            .put("prompt", c.get("prompt").asText())
            .put("max_tokens", 32)
            .put("temperature", 0)
            .put("stream", true)
            .set("stream_options", JSON.createObjectNode().put("include_usage", true))
            .toString();
    List<String> events = sse("/v1/completions", body);
    assertEquals("[DONE]", events.get(events.size() - 1));
    StringBuilder text = new StringBuilder();
    JsonNode usage = null;
    String finish = null;
    for (String e : events.subList(0, events.size() - 1)) {
      JsonNode chunk = JSON.readTree(e);
      assertEquals("text_completion", chunk.get("object").asText());
      if (chunk.get("choices").size() == 0) {
        usage = chunk.get("usage");
        continue;
      }
      JsonNode choice = chunk.get("choices").get(0);
      text.append(choice.get("text").asText());
      if (!choice.get("finish_reason").isNull()) {
        finish = choice.get("finish_reason").asText();
      } else {
        assertEquals(
            "full",
            chunk.get("flexserve").get("subnet").asText(),
            "each chunk names its sub-network");
      }
    }
    assertEquals(c.get("text").asText(), text.toString());
    assertEquals("length", finish);
    assertEquals(32, usage.get("completion_tokens").asInt());
  }

  @Test
  void anEventStreamClientIsServed_notRefused406() throws Exception {
    // SSE clients (EventSource, Micronaut's SseClient) accept only text/event-stream
    String body = "{\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"stream\":true}";
    for (String path : List.of("/v1/completions", "/v1/chat/completions")) {
      String sent =
          path.endsWith("chat/completions")
              ? "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":4,"
                  + "\"stream\":true}"
              : body;
      HttpResponse<String> r = http.post(path, sent, "Accept", "text/event-stream");
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
    }
  }

  @Test
  void chatAnswersInOpenAiShapeStreamingOrNot() throws Exception {
    String messages =
        "[{\"role\":\"system\",\"content\":\"You tell short stories.\"},{\"role\":\"user\",\"content\":\"Tell me about a cat.\"}]";
    JsonNode out =
        post(
            "/v1/chat/completions",
            "{\"messages\":" + messages + ",\"max_tokens\":12,\"temperature\":0}",
            200);
    assertEquals("chat.completion", out.get("object").asText());
    assertTrue(out.get("id").asText().startsWith("chatcmpl-"));
    JsonNode message = out.get("choices").get(0).get("message");
    assertEquals("assistant", message.get("role").asText());
    assertTrue(!message.get("content").asText().isBlank());

    List<String> events =
        sse(
            "/v1/chat/completions",
            "{\"messages\":" + messages + ",\"max_tokens\":12,\"temperature\":0,\"stream\":true}");
    JsonNode first = JSON.readTree(events.get(0));
    assertEquals("chat.completion.chunk", first.get("object").asText());
    assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
    StringBuilder streamed = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      JsonNode delta = JSON.readTree(e).get("choices").get(0).get("delta");
      if (delta.has("content")) {
        streamed.append(delta.get("content").asText());
      }
    }
    assertEquals(
        message.get("content").asText(),
        streamed.toString(),
        "greedy: streaming and not give the same answer");
  }

  @Test
  void sameSeedSameTextAndStopStringsEndTheText() throws Exception {
    String sampled =
        "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":1.0,\"top_p\":0.95,\"seed\":%d}";
    String a =
        post("/v1/completions", String.format(sampled, 7), 200)
            .get("choices")
            .get(0)
            .get("text")
            .asText();
    String b =
        post("/v1/completions", String.format(sampled, 7), 200)
            .get("choices")
            .get(0)
            .get("text")
            .asText();
    String c =
        post("/v1/completions", String.format(sampled, 8), 200)
            .get("choices")
            .get(0)
            .get("text")
            .asText();
    assertEquals(a, b);
    assertNotEquals(a, c, "another seed, another story");

    JsonNode stopped =
        post(
            "/v1/completions",
            "{\"prompt\":\"Once upon a time\",\"max_tokens\":32,\"temperature\":0,\"stop\":[\" Lily\"]}",
            200);
    JsonNode choice = stopped.get("choices").get(0);
    assertEquals(", there was a little girl named", choice.get("text").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
  }

  @Test
  void aRepeatedPromptPrefixReusesItsCacheAndGivesTheSameText() throws Exception {
    String preamble =
        "Lily and Tom went to the park. They saw a big dog. The dog was happy and ran to them. ";
    String first = "{\"prompt\":\"" + preamble + "Lily said\",\"max_tokens\":16,\"temperature\":0}";
    String second = "{\"prompt\":\"" + preamble + "Tom said\",\"max_tokens\":16,\"temperature\":0}";
    double hits =
        http.metric("flexserve_prefix_cache_lookups_total{model=\"tinystories\",outcome=\"hit\",}");
    double reused = http.metric("flexserve_prefix_cache_tokens_total{model=\"tinystories\",}");
    String a = post("/v1/completions", first, 200).get("choices").get(0).get("text").asText();
    String b = post("/v1/completions", second, 200).get("choices").get(0).get("text").asText();
    String a2 = post("/v1/completions", first, 200).get("choices").get(0).get("text").asText();
    assertEquals(a, a2, "greedy text from a reused prefix equals the text from a full prefill");
    assertNotEquals(a, b);
    assertEquals(
        hits + 2,
        http.metric(
            "flexserve_prefix_cache_lookups_total{model=\"tinystories\",outcome=\"hit\",}"));
    assertTrue(
        http.metric("flexserve_prefix_cache_tokens_total{model=\"tinystories\",}")
            >= reused + 2 * PrefixCache.BLOCK);
  }

  @Test
  void logprobsReportEachTokenAndItsAlternatives() throws Exception {
    JsonNode out =
        post(
            "/v1/completions",
            "{\"prompt\":\"Once upon a time\",\"max_tokens\":5,\"temperature\":0,\"logprobs\":2}",
            200);
    JsonNode lp = out.get("choices").get(0).get("logprobs");
    assertEquals(5, lp.get("tokens").size());
    assertEquals(5, lp.get("token_logprobs").size());
    for (JsonNode top : lp.get("top_logprobs")) {
      assertEquals(2, top.size());
    }
    assertTrue(lp.get("token_logprobs").get(0).asDouble() < 0);
  }

  @Test
  void xSubnetForcesTheSubnetAndModelsListsTheMenu() throws Exception {
    HttpResponse<String> r =
        http.post(
            "/v1/completions",
            "{\"prompt\":\"Once upon a time\",\"max_tokens\":4}",
            "X-Subnet",
            "lat85");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("lat85", r.headers().firstValue("X-Subnet").orElseThrow());
    JsonNode models = JSON.readTree(http.get("/v1/models").body());
    JsonNode model = models.get("data").get(0);
    assertEquals("tinystories", model.get("id").asText());
    assertEquals("full", model.get("subnets").get(0).get("name").asText());
    assertTrue(model.get("subnets").get(0).get("perplexity").asDouble() > 1);
  }

  @Test
  void badInputsGetClearErrors() throws Exception {
    assertError(
        "/v1/completions",
        "{\"prompt\":\"Once\",\"max_tokens\":5000}",
        400,
        "context_length_exceeded");
    assertError( // prompt + max_tokens overflows an int: refused all the same
        "/v1/completions",
        "{\"prompt\":\"Once\",\"max_tokens\":2147483647}",
        400,
        "context_length_exceeded");
    assertError("/v1/completions", "{\"prompt\":\"\"}", 422, "empty_prompt");
    assertError("/v1/completions", "{\"max_tokens\":3}", 400, "missing_field");
    assertError(
        "/v1/completions", "{\"prompt\":\"Once\",\"temperature\":\"hot\"}", 400, "wrong_type");
    assertError("/v1/completions", "{\"prompt\":\"Once\",\"temperature\":3}", 422, "invalid_value");
    assertError(
        "/v1/completions", "{\"prompt\":\"Once\",\"model\":\"nope\"}", 404, "model_not_found");
    assertError("/v1/completions", "{\"prompt\":\"Once\",\"n\":2}", 422, "unsupported_parameter");
    assertError("/v1/chat/completions", "{\"messages\":[]}", 422, "empty_messages");
    assertError(
        "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}",
        422,
        "invalid_role");
    assertError(
        "/v1/embeddings", "{\"input\":\"hi\",\"model\":\"tinystories\"}", 400, "wrong_model_type");
    HttpResponse<String> r =
        http.post("/v1/completions", "{\"prompt\":\"Once\"}", "X-Subnet", "nope");
    assertEquals(422, r.statusCode(), r.body());
  }

  @Test
  void logprobsTokensAreTheExactTextOfEachToken_andJoinIntoTheCompletion() throws Exception {
    JsonNode out =
        post(
            "/v1/completions",
            "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0,"
                + "\"logprobs\":3}",
            200);
    JsonNode choice = out.get("choices").get(0);
    StringBuilder joined = new StringBuilder();
    boolean leadingSpace = false;
    for (JsonNode t : choice.get("logprobs").get("tokens")) {
      joined.append(t.asText());
      leadingSpace |= t.asText().startsWith(" ");
    }
    assertEquals(choice.get("text").asText(), joined.toString());
    assertTrue(
        leadingSpace,
        "word-initial pieces keep their space: " + choice.get("logprobs").get("tokens"));
    for (JsonNode top : choice.get("logprobs").get("top_logprobs")) {
      assertEquals(3, top.size(), "three distinct alternatives: " + top);
    }
  }

  @Test
  void
      developerMessagesAndTextContentPartsReadAsTheirPlainForms_otherPartsAndParametersAreRefusedByName()
          throws Exception {
    String plain =
        post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"You tell stories.\"},"
                    + "{\"role\":\"user\",\"content\":\"A cat.\"}],\"max_tokens\":8,\"temperature\":0}",
                200)
            .get("choices")
            .get(0)
            .get("message")
            .get("content")
            .asText();
    String parts =
        post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"developer\",\"content\":\"You tell stories.\"},"
                    + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"A \"},{\"type\":\"text\",\"text\":\"cat.\"}]}],"
                    + "\"max_tokens\":8,\"temperature\":0}",
                200)
            .get("choices")
            .get(0)
            .get("message")
            .get("content")
            .asText();
    assertEquals(plain, parts);
    assertError(
        "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\"x\"}}]}]}",
        422,
        "unsupported_content");
    for (String field :
        List.of(
            "\"best_of\":3",
            "\"suffix\":\"x\"",
            "\"response_format\":{\"type\":\"json_object\"}",
            "\"tools\":[{\"type\":\"function\"}]",
            "\"made_up\":1")) {
      JsonNode error =
          post("/v1/completions", "{\"prompt\":\"Once\"," + field + "}", 422).get("error");
      assertEquals("unsupported_parameter", error.get("code").asText());
      String name = field.substring(1, field.indexOf('"', 1));
      assertTrue(error.get("message").asText().contains("'" + name + "'"), error.toString());
    }
    post(
        "/v1/completions",
        "{\"prompt\":\"Once\",\"max_tokens\":2,\"best_of\":1,\"n\":1,"
            + "\"response_format\":{\"type\":\"text\"},\"user\":\"u1\"}",
        200);
  }

  @Test
  void logitBiasAndPenaltiesShapeTheGreedyContinuation() throws Exception {
    String base =
        "{\"prompt\":\"Once upon a time\",\"max_tokens\":48,\"temperature\":0,\"logprobs\":1";
    JsonNode plain = post("/v1/completions", base + "}", 200).get("choices").get(0);
    JsonNode forced =
        post("/v1/completions", base + ",\"logit_bias\":{\"403\":100}}", 200).get("choices").get(0);
    for (JsonNode t : forced.get("logprobs").get("tokens")) {
      assertEquals(
          forced.get("logprobs").get("tokens").get(0).asText(),
          t.asText(),
          "+100 on token 403 every time");
    }
    String first = plain.get("logprobs").get("tokens").get(0).asText();
    int firstId =
        post(
                "/v2/models/tinystories/infer",
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],"
                    + "\"data\":[\"Once upon a time\"]}],\"parameters\":{\"max_tokens\":1,\"temperature\":0}}",
                200)
            .get("outputs")
            .get(1)
            .get("data")
            .get(0)
            .asInt(); // the same greedy first token, as an id
    JsonNode banned =
        post("/v1/completions", base + ",\"logit_bias\":{\"" + firstId + "\":-100}}", 200)
            .get("choices")
            .get(0);
    assertNotEquals(
        first,
        banned.get("logprobs").get("tokens").get(0).asText(),
        "-100 bans the greedy first token");
    assertEquals(
        plain.get("text").asText(),
        post("/v1/completions", base + ",\"presence_penalty\":0,\"frequency_penalty\":0}", 200)
            .get("choices")
            .get(0)
            .get("text")
            .asText());
    JsonNode penalized =
        post("/v1/completions", base + ",\"frequency_penalty\":2,\"presence_penalty\":2}", 200)
            .get("choices")
            .get(0);
    assertTrue(
        distinct(penalized) > distinct(plain),
        "penalties make a greedy text repeat itself less: "
            + distinct(plain)
            + " distinct tokens of 48 without, "
            + distinct(penalized)
            + " with");
    assertError(
        "/v1/completions",
        "{\"prompt\":\"Once\",\"logit_bias\":{\"99999\":1}}",
        422,
        "invalid_value");
    assertError(
        "/v1/completions", "{\"prompt\":\"Once\",\"presence_penalty\":3}", 422, "invalid_value");
  }

  private static long distinct(JsonNode choice) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    choice.get("logprobs").get("tokens").forEach(t -> seen.add(t.asText()));
    return seen.size();
  }

  @Test
  void chatLogprobsListEachTokenWithItsAlternatives_streamingOrNot() throws Exception {
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"A cat.\"}],\"max_tokens\":10,\"temperature\":0,"
            + "\"logprobs\":true,\"top_logprobs\":2";
    JsonNode choice = post("/v1/chat/completions", body + "}", 200).get("choices").get(0);
    StringBuilder joined = new StringBuilder();
    for (JsonNode c : choice.get("logprobs").get("content")) {
      joined.append(c.get("token").asText());
      assertTrue(c.get("logprob").asDouble() <= 0);
      assertEquals(2, c.get("top_logprobs").size());
      assertEquals(
          c.get("token").asText().getBytes(StandardCharsets.UTF_8).length, c.get("bytes").size());
    }
    assertEquals(choice.get("message").get("content").asText(), joined.toString());
    StringBuilder streamed = new StringBuilder();
    for (String data : sse("/v1/chat/completions", body + ",\"stream\":true}")) {
      JsonNode chunk = data.equals("[DONE]") ? null : JSON.readTree(data);
      if (chunk != null
          && chunk.get("choices").size() > 0
          && chunk.get("choices").get(0).get("logprobs").isObject()) {
        chunk
            .get("choices")
            .get(0)
            .get("logprobs")
            .get("content")
            .forEach(c -> streamed.append(c.get("token").asText()));
      }
    }
    assertEquals(joined.toString(), streamed.toString());
    assertError(
        "/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_logprobs\":2}",
        422,
        "invalid_value");
  }

  @Test
  void echoStartsTheAnswerWithThePrompt_streamingOrNot() throws Exception {
    String body = "{\"prompt\":\"Once upon a time\",\"max_tokens\":10,\"temperature\":0";
    String plain =
        post("/v1/completions", body + "}", 200).get("choices").get(0).get("text").asText();
    assertEquals(
        "Once upon a time" + plain,
        post("/v1/completions", body + ",\"echo\":true}", 200)
            .get("choices")
            .get(0)
            .get("text")
            .asText());
    StringBuilder streamed = new StringBuilder();
    for (String data : sse("/v1/completions", body + ",\"echo\":true,\"stream\":true}")) {
      if (!data.equals("[DONE]")) {
        JsonNode chunk = JSON.readTree(data);
        chunk.get("choices").forEach(c -> streamed.append(c.get("text").asText()));
      }
    }
    assertEquals("Once upon a time" + plain, streamed.toString());
    assertError(
        "/v1/completions", body + ",\"echo\":true,\"logprobs\":1}", 422, "unsupported_parameter");
  }

  @Test
  void modelsRetrieveAnswersOneModel() throws Exception {
    JsonNode m = JSON.readTree(http.get("/v1/models/tinystories").body());
    assertEquals("tinystories", m.get("id").asText());
    assertEquals("model", m.get("object").asText());
    assertEquals(404, http.get("/v1/models/nope").statusCode());
  }

  @Test
  void aClientThatDisconnectsStopsItsGeneration() throws Exception {
    double cancelledBefore =
        http.metric("flexserve_generations_total{model=\"tinystories\",reason=\"cancelled\",}");
    String body =
        "{\"prompt\":\"Once upon a time\",\"max_tokens\":400,\"temperature\":0,\"stream\":true}";
    try (Socket socket = new Socket(server.getHost(), server.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.getBytes(StandardCharsets.UTF_8).length
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("data:")) {
          break; // the generation is running: hang up
        }
      }
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (http.metric("flexserve_generations_total{model=\"tinystories\",reason=\"cancelled\",}")
        <= cancelledBefore) {
      assertTrue(
          System.nanoTime() < deadline, "the generation was not cancelled after the client left");
      Thread.sleep(20);
    }
    assertEquals(
        0.0,
        http.metric("flexserve_generations_running{model=\"tinystories\",}"),
        "its batch row was freed");
  }

  @Test
  void aClientThatLeavesBeforeASingleAnswerStopsItsGeneration_andIsCounted() throws Exception {
    assertLeavingStopsTheGeneration(false);
  }

  @Test
  void aHalfClosedRequestIsCancelledAndCounted_notComputedForNobody() throws Exception {
    // Netty closes a connection at end of input, so the answer could not be delivered: the work is
    // cancelled.
    assertLeavingStopsTheGeneration(true);
  }

  /**
   * Sends a generation that would fill the context, then closes (or half-closes) the connection at
   * once.
   */
  private void assertLeavingStopsTheGeneration(boolean halfClose) throws Exception {
    String cancelled = "flexserve_generations_total{model=\"tinystories\",reason=\"cancelled\",}";
    String disconnects =
        "flexserve_client_disconnects_total{endpoint=\"/v1/completions\",work=\"cancelled\",}";
    String generated = "flexserve_generated_tokens_total{model=\"tinystories\",subnet=\"full\",}";
    double cancelledBefore = http.metric(cancelled);
    double disconnectsBefore = http.metric(disconnects);
    double generatedBefore = http.metric(generated);
    String body =
        "{\"prompt\":\"Once upon a time\",\"temperature\":0}"; // no max_tokens: up to the context
    // (512)
    try (Socket socket = new Socket(server.getHost(), server.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Subnet: full\r\n"
                  + "Content-Length: "
                  + body.getBytes(StandardCharsets.UTF_8).length
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      if (halfClose) {
        socket.shutdownOutput();
        socket.setSoTimeout(10_000);
        assertEquals(
            -1,
            socket.getInputStream().read(),
            "a half-closed connection gets no answer (it is closed)");
      }
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (http.metric(cancelled) <= cancelledBefore
        || http.metric(disconnects) <= disconnectsBefore) {
      assertTrue(
          System.nanoTime() < deadline, "the generation was not cancelled after the client left");
      Thread.sleep(20);
    }
    assertEquals(
        0.0,
        http.metric("flexserve_generations_running{model=\"tinystories\",}"),
        "its batch row was freed");
    assertTrue(
        http.metric(generated) - generatedBefore < 400,
        "it stopped long before the context's ~500 tokens: "
            + (http.metric(generated) - generatedBefore));
  }

  private void assertError(String path, String body, int status, String code) throws Exception {
    JsonNode out = post(path, body, status);
    assertEquals(code, out.get("error").get("code").asText(), out.toString());
    assertTrue(!out.get("error").get("message").asText().isBlank());
  }

  /** The data lines of a server-sent-event response. */
  private List<String> sse(String path, String body) throws Exception {
    HttpResponse<String> r = http.post(path, body);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    List<String> data = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data:")) {
        data.add(line.substring(5).strip());
      }
    }
    return data;
  }
}
