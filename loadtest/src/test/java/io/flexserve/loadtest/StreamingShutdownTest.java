package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.testing.ServerProcess;
import io.flexserve.loadtest.testing.TinyStoriesRepository;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while text streams are in flight: readiness turns false and new requests get 503 at once,
 * every stream already running still completes to {@code data: [DONE]}, and the process exits 0.
 * Uses the real tinystories-260k model from {@code ../shared}, converted by the toolchain jar's
 * {@code convert} command.
 */
class StreamingShutdownTest {
  private static final int STREAMS = 8;
  private static final int TOKENS = 400;

  @Test
  void sigterm_letsRunningStreamsFinish_refusesNewOnes_exitsZero() throws Exception {
    Path module =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path jar = module.resolve("../server/target/flexserve.jar").normalize();
    Assumptions.assumeTrue(
        Files.isRegularFile(jar),
        "skipped: " + jar + " does not exist; build the server module first");
    Path target = Files.createDirectories(module.resolve("target"));
    Path repo = TinyStoriesRepository.ensure(module, target);
    try (ServerProcess server =
        ServerProcess.start(
            jar,
            Map.of(
                "ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true",
                "FLEXSERVE_MODEL_DIR", repo.toString(),
                "FLEXSERVE_INTRA_OP_THREADS", "1",
                "FLEXSERVE_SHUTDOWN_GRACE_SECONDS", "120"),
            target.resolve("streaming-shutdown-server.log"))) {
      server.awaitReady(Duration.ofSeconds(180));
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();

      List<CompletableFuture<HttpResponse<InputStream>>> responses = new ArrayList<>();
      long[] sent = new long[STREAMS];
      for (int i = 0; i < STREAMS; i++) {
        sent[i] = System.nanoTime();
        String body =
            "{\"model\":\"tinystories\",\"prompt\":\"Once upon a time "
                + i
                + "\",\"max_tokens\":"
                + TOKENS
                + ",\"temperature\":0.8,\"seed\":"
                + i
                + ",\"stop\":[\"never-appears\"],\"stream\":true}";
        responses.add(
            client.sendAsync(
                HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream()));
      }
      List<BufferedReader> streams = new ArrayList<>();
      for (CompletableFuture<HttpResponse<InputStream>> f : responses) {
        HttpResponse<InputStream> r = f.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        BufferedReader in =
            new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertTrue(in.readLine().startsWith("data:"), "the stream has started");
        streams.add(in);
      }

      long sigterm = System.nanoTime();
      server.terminate();
      int ready = 200;
      for (long end = System.nanoTime() + 5_000_000_000L;
          ready != 503 && System.nanoTime() < end; ) {
        ready =
            client
                .send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/v2/health/ready"))
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode();
      }
      assertEquals(503, ready, "readiness must turn false on SIGTERM");
      HttpResponse<String> late =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"prompt\":\"too late\",\"max_tokens\":4}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, late.statusCode(), late.body());
      assertTrue(late.body().contains("shutting_down"), late.body());

      int finishedAfterSigterm = 0;
      for (int i = 0; i < STREAMS; i++) {
        BufferedReader in = streams.get(i);
        String finish = null;
        double serverMillis = 0;
        boolean done = false;
        for (String line; (line = in.readLine()) != null; ) {
          if (line.equals("data: [DONE]")) {
            done = true;
            break;
          }
          if (line.contains("\"finish_reason\":\"")) {
            finish = line.replaceAll(".*\"finish_reason\":\"([a-z]+)\".*", "$1");
            serverMillis = Double.parseDouble(line.replaceAll(".*\"total_ms\":([0-9.]+).*", "$1"));
          }
        }
        assertTrue(done, "a stream running at SIGTERM ends with [DONE]");
        assertTrue(
            "length".equals(finish) || "stop".equals(finish),
            "finished normally, not cut off: " + finish);
        // The server received the request after `sent` and finished total_ms later: if that is past
        // the
        // SIGTERM, the generation was still running when the signal arrived.
        if (sent[i] + (long) (serverMillis * 1e6) > sigterm) {
          finishedAfterSigterm++;
        }
      }
      assertTrue(finishedAfterSigterm > 0, "no stream was still generating when SIGTERM was sent");
      assertEquals(0, server.awaitExit(Duration.ofSeconds(120)), server.logTail());
    }
  }
}
