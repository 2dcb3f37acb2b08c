package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.llm.ElasticDecoderConverter;
import io.flexserve.convert.llm.LatencyModel;
import io.flexserve.models.Progress;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A compressed bundle served over HTTP: tinystories-260k with int4 (g32) weights and EoRA paths
 * stored at rank 8, served at ranks 4 and 8, beside the float32 entries. {@code X-EoRA-Rank} picks
 * the rank; the response names it.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EoraServingTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL = "tinystories-int4";
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    try {
      Path repo = Path.of("target/test-eora-repo").toAbsolutePath();
      Path bundle = repo.resolve(MODEL);
      if (!Files.exists(bundle.resolve(DecoderManifest.FILE))) {
        CompressionPlan plan =
            new CompressionPlan(
                CompressionPlan.Quantization.INT4,
                32,
                CompressionPlan.Pruning.NONE,
                null,
                CompressionPlan.Compensation.EORA,
                8,
                List.of(4, 8));
        ElasticDecoderConverter.Options options =
            new ElasticDecoderConverter.Options(
                    MODEL,
                    List.of(1.0, 0.6),
                    64,
                    16,
                    4,
                    2,
                    Integer.MAX_VALUE,
                    32,
                    9,
                    64,
                    SessionConfig.cpu(1),
                    List.of(),
                    plan)
                .withLatencyModel(LatencyModel.WEIGHTS);
        ElasticDecoderConverter.convert(
            TinyStoriesRepository.shared().resolve("models/tinystories-260k"),
            TinyStoriesRepository.shared().resolve("data/tinystories-valid-sample.txt"),
            bundle,
            options,
            Progress.NONE);
      }
      return Map.of("flexserve.model-dir", repo.toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  HttpResponse<String> complete(String... headers) throws Exception {
    String body =
        JSON.createObjectNode()
            .put("model", MODEL)
            .put("prompt", "Once upon a time")
            .put("max_tokens", 4)
            .put("temperature", 0)
            .toString();
    return http.post("/v1/completions", body, headers);
  }

  @Test
  void rankHeader_picksTheCompensationRank_andTheResponseNamesIt() throws Exception {
    HttpResponse<String> off = complete("X-EoRA-Rank", "0", "X-Subnet", "full");
    assertEquals(200, off.statusCode(), off.body());
    assertEquals("0", off.headers().firstValue("X-EoRA-Rank").orElseThrow());
    assertEquals("full", off.headers().firstValue("X-Subnet").orElseThrow());

    HttpResponse<String> max = complete("X-EoRA-Rank", "8", "X-Subnet", "full");
    assertEquals(200, max.statusCode(), max.body());
    assertEquals("8", max.headers().firstValue("X-EoRA-Rank").orElseThrow());
    assertEquals("full.int4.r8", max.headers().firstValue("X-Subnet").orElseThrow());

    HttpResponse<String> routed = complete("X-EoRA-Rank", "4");
    assertEquals(200, routed.statusCode(), routed.body());
    assertEquals("4", routed.headers().firstValue("X-EoRA-Rank").orElseThrow());
    assertTrue(routed.headers().firstValue("X-Subnet").orElseThrow().endsWith(".r4"));
  }

  @Test
  void withoutHeader_precisionAndRankAreMoreMenuEntries_mostAccurateFirst() throws Exception {
    HttpResponse<String> r = complete();
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("full", r.headers().firstValue("X-Subnet").orElseThrow());
    assertEquals("0", r.headers().firstValue("X-EoRA-Rank").orElseThrow());
    JsonNode models = JSON.readTree(http.get("/v1/models").body());
    JsonNode subnets = null;
    for (JsonNode m : models.get("data")) {
      if (m.get("id").asText().equals(MODEL)) {
        subnets = m.get("subnets");
      }
    }
    Map<String, JsonNode> byName = new java.util.HashMap<>();
    subnets.forEach(s -> byName.put(s.get("name").asText(), s));
    assertEquals("fp32", byName.get("full").get("precision").asText(), subnets.toString());
    assertEquals("int4", byName.get("full.int4.r4").get("precision").asText(), subnets.toString());
    assertEquals(4, byName.get("full.int4.r4").get("eora_rank").asInt(), subnets.toString());
    assertEquals("int4", byName.get("full.int4").get("precision").asText(), subnets.toString());
  }

  @Test
  void aForcedInt4Entry_generatesThroughMatMulNBits() throws Exception {
    HttpResponse<String> r = complete("X-Subnet", "full.int4");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("full.int4", r.headers().firstValue("X-Subnet").orElseThrow());
    assertEquals("0", r.headers().firstValue("X-EoRA-Rank").orElseThrow());
    assertTrue(
        JSON.readTree(r.body()).get("choices").get(0).get("text").asText().length() > 0, r.body());
    HttpResponse<String> plain = complete("X-Subnet", "full.int4", "X-EoRA-Rank", "8");
    assertEquals(
        "full.int4.r8",
        plain.headers().firstValue("X-Subnet").orElseThrow(),
        "rank 8 of an int4 entry stays int4");
    // an entry that names its own rank, and a different X-EoRA-Rank: the headers conflict (issue
    // 17, item 11)
    HttpResponse<String> conflict = complete("X-Subnet", "full.int4.r8", "X-EoRA-Rank", "4");
    assertEquals(422, conflict.statusCode(), conflict.body());
    assertEquals(
        "conflicting_headers", JSON.readTree(conflict.body()).get("error").get("code").asText());
  }

  @Test
  void badRanks_are422() throws Exception {
    for (String bad : new String[] {"abc", "-1", "5", "16", "2.5"}) {
      HttpResponse<String> r = complete("X-EoRA-Rank", bad);
      assertEquals(422, r.statusCode(), bad + ": " + r.body());
      JsonNode error = JSON.readTree(r.body()).get("error");
      assertTrue(error.get("message").asText().contains("X-EoRA-Rank"), r.body());
    }
  }

  @Test
  void stream_chunksCarryTheRank() throws Exception {
    String body =
        JSON.createObjectNode()
            .put("model", MODEL)
            .put("prompt", "Once upon a time")
            .put("max_tokens", 3)
            .put("temperature", 0)
            .put("stream", true)
            .toString();
    HttpResponse<String> r =
        http.post("/v1/completions", body, "X-EoRA-Rank", "4", "X-Subnet", "full");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("4", r.headers().firstValue("X-EoRA-Rank").orElseThrow());
    JsonNode first =
        JSON.readTree(
            r.body()
                .lines()
                .filter(l -> l.startsWith("data: {"))
                .findFirst()
                .orElseThrow()
                .substring(6));
    assertEquals(4, first.get("flexserve").get("eora_rank").asInt(), first.toString());
    assertEquals("full.int4.r4", first.get("flexserve").get("subnet").asText());
  }
}
