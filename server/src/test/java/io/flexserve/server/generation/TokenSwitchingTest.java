package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Token-level switching between KV-compatible sub-networks ({@code full} and {@code full-mlp50} of
 * the tinystories bundle) end to end. When to switch is timing-dependent, so these tests replace
 * the decision with a deterministic one (move between full and full-mlp50 every 3 tokens) and check
 * the mechanics: streams name the sub-networks, counts add up, rows are freed, and switching
 * happens only for requests with a target and no X-Subnet. The real decision is unit-tested in the
 * router ({@code TokenSwitchPolicyTest} for one row, {@code SwitchPlannerTest} for a plan), and the
 * scheduler on a fake clock in {@code GenerationSchedulerTest}.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenSwitchingTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PROMPT = "Once upon a time, there was a little girl named Lily.";
  static final List<String> PAIR = List.of("full", "full-mlp50");
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

  GenerationScheduler scheduler() {
    return ServedDecoder.from(catalog, TinyStoriesRepository.MODEL).scheduler();
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
    // every 3 tokens on a sub-network, move between full and full-mlp50. Other menu entries may
    // also be KV-compatible with full; the test ignores them.
    scheduler()
        .switcher(
            (state, target, compatible, rows, moving) -> {
              List<String> names = compatible.stream().map(DecoderProfile::name).toList();
              if (state.tokensOnSubnet() < 3
                  || !names.containsAll(PAIR)
                  || !PAIR.contains(state.subnet())) {
                return null;
              }
              return PAIR.get(1 - PAIR.indexOf(state.subnet()));
            });
  }

  @AfterEach
  void restore() {
    scheduler().switcher(SubnetSwitching.DEFAULT_RULE);
  }

  static String body(boolean stream, int maxTokens) {
    var b =
        JSON.createObjectNode()
            .put("prompt", PROMPT)
            .put("max_tokens", maxTokens)
            .put("temperature", 0)
            .put("stream", stream);
    if (stream) {
      b.set("stream_options", JSON.createObjectNode().put("include_usage", true));
    }
    return b.toString();
  }

  @Test
  void theBundleHasAKvCompatibleVariantOfFull() throws Exception {
    JsonNode model = JSON.readTree(http.get("/v1/models").body()).get("data").get(0);
    List<String> names = new ArrayList<>();
    model.get("subnets").forEach(s -> names.add(s.get("name").asText()));
    assertTrue(names.contains("full-mlp50"), names.toString());
  }

  @Test
  void aStreamMovesBetweenSubnetsAndEveryChunkNamesItsOwn() throws Exception {
    double switchesBefore =
        http.metric(
            "flexserve_subnet_switches_total{model=\"tinystories\",from=\"full\",to=\"full-mlp50\",}");
    List<String> events = sse(body(true, 32), "X-TPOT-Target-Ms", "100000");
    assertEquals("[DONE]", events.get(events.size() - 1));
    StringBuilder text = new StringBuilder();
    Set<String> chunkSubnets = new LinkedHashSet<>();
    JsonNode usage = null;
    JsonNode summary = null;
    for (String e : events.subList(0, events.size() - 1)) {
      JsonNode chunk = JSON.readTree(e);
      if (chunk.get("choices").size() == 0) {
        usage = chunk.get("usage");
        continue;
      }
      JsonNode choice = chunk.get("choices").get(0);
      text.append(choice.get("text").asText());
      if (choice.get("finish_reason").isNull()) {
        chunkSubnets.add(chunk.get("flexserve").get("subnet").asText());
      } else {
        summary = chunk.get("flexserve");
        assertEquals("length", choice.get("finish_reason").asText());
      }
    }
    assertEquals(
        List.of("full", "full-mlp50"),
        List.copyOf(chunkSubnets),
        "chunks name both sub-networks, full first");
    assertEquals(32, usage.get("completion_tokens").asInt());
    JsonNode per = summary.get("tokens_per_subnet");
    int sum = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = per.fields(); it.hasNext(); ) {
      sum += it.next().getValue().asInt();
    }
    assertEquals(32, sum, "tokens_per_subnet sums to completion_tokens: " + per);
    assertTrue(per.get("full").asInt() > 0 && per.get("full-mlp50").asInt() > 0, per.toString());
    assertTrue(summary.get("deadline_met").asBoolean());
    assertWellFormed(text.toString());
    assertTrue(
        http.metric(
                "flexserve_subnet_switches_total{model=\"tinystories\",from=\"full\",to=\"full-mlp50\",}")
            > switchesBefore);
    assertRowsFreed();
  }

  @Test
  void switchingIsDeterministicUnderGreedyDecodingAndTheHeaderListsEverySubnetUsed()
      throws Exception {
    HttpResponse<String> a =
        http.post("/v1/completions", body(false, 24), "X-TPOT-Target-Ms", "100000");
    HttpResponse<String> b =
        http.post("/v1/completions", body(false, 24), "X-Latency-Target-Ms", "100000");
    assertEquals(200, a.statusCode(), a.body());
    assertEquals(200, b.statusCode(), b.body());
    assertEquals(
        "full,full-mlp50",
        a.headers().firstValue("X-Subnet").orElseThrow(),
        "first = the initial one");
    assertEquals(
        "full,full-mlp50",
        b.headers().firstValue("X-Subnet").orElseThrow(),
        "a total target also allows switching");
    JsonNode ja = JSON.readTree(a.body());
    JsonNode jb = JSON.readTree(b.body());
    assertEquals(
        ja.get("choices").get(0).get("text").asText(),
        jb.get("choices").get(0).get("text").asText());
    assertEquals(
        ja.get("flexserve").get("tokens_per_subnet"), jb.get("flexserve").get("tokens_per_subnet"));
    // a move once 3 inter-token times were seen on a sub-network: full 1-4, mlp50 5-7, full 8-10,
    // ..., mlp50 23-24
    assertEquals(13, ja.get("flexserve").get("tokens_per_subnet").get("full").asInt());
    assertEquals(11, ja.get("flexserve").get("tokens_per_subnet").get("full-mlp50").asInt());
    assertWellFormed(ja.get("choices").get(0).get("text").asText());
    assertRowsFreed();
  }

  @Test
  void concurrentSwitchingRowsShareBatchesWithOthers() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String[] headers = i % 2 == 0 ? new String[] {"X-TPOT-Target-Ms", "100000"} : new String[0];
      int tokens = 20 + 5 * i;
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return http.post("/v1/completions", body(false, tokens), headers);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    String reference =
        JSON.readTree(http.post("/v1/completions", body(false, 25)).body())
            .get("choices")
            .get(0)
            .get("text")
            .asText();
    for (int i = 0; i < runs.size(); i++) {
      HttpResponse<String> r = runs.get(i).get();
      assertEquals(200, r.statusCode(), r.body());
      JsonNode out = JSON.readTree(r.body());
      JsonNode per = out.get("flexserve").get("tokens_per_subnet");
      assertEquals(20 + 5 * i, out.get("usage").get("completion_tokens").asInt());
      if (i % 2 == 0) {
        assertEquals(2, per.size(), "a row with a target switched: " + per);
      } else {
        assertEquals(1, per.size(), "a row without a target never switches: " + per);
        assertEquals("full", r.headers().firstValue("X-Subnet").orElseThrow());
        if (i == 1) {
          assertEquals(
              reference,
              out.get("choices").get(0).get("text").asText(),
              "rows moving in and out of the batch leave the others' text unchanged");
        }
      }
      assertWellFormed(out.get("choices").get(0).get("text").asText());
    }
    assertRowsFreed();
  }

  @Test
  void xSubnetPinsTheSubnetEvenWithATarget() throws Exception {
    HttpResponse<String> r =
        http.post(
            "/v1/completions", body(false, 16), "X-TPOT-Target-Ms", "100000", "X-Subnet", "full");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("full", r.headers().firstValue("X-Subnet").orElseThrow());
    JsonNode per = JSON.readTree(r.body()).get("flexserve").get("tokens_per_subnet");
    assertEquals(1, per.size());
    assertEquals(16, per.get("full").asInt());
  }

  private static void assertWellFormed(String text) {
    assertFalse(text.isBlank(), "some text");
    assertFalse(text.contains("\uFFFD"), "no broken characters: " + text);
    assertTrue(
        text.chars().filter(Character::isLetter).count() > text.length() / 2,
        "mostly words: " + text);
  }

  private void assertRowsFreed() throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (http.metric("flexserve_generations_running{model=\"tinystories\",}") != 0.0) {
      assertTrue(System.nanoTime() < deadline, "rows were not freed");
      Thread.sleep(20);
    }
  }

  private List<String> sse(String body, String... headers) throws Exception {
    HttpResponse<String> r = http.post("/v1/completions", body, headers);
    assertEquals(200, r.statusCode(), r.body());
    List<String> data = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data:")) {
        data.add(line.substring(5).strip());
      }
    }
    return data;
  }
}
