package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.testing.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM against the real server jar: readiness turns false and new requests get 503 at once, the
 * request in flight still completes, and the process exits 0.
 */
class GracefulShutdownTest {

  @Test
  void sigterm_drainsInFlightRequest_refusesNewOnes_exitsZero() throws Exception {
    Path module =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path jar = module.resolve("../server/target/flexserve.jar").normalize();
    Assumptions.assumeTrue(
        Files.isRegularFile(jar),
        "skipped: " + jar + " does not exist; build the server module first");
    Path target = Files.createDirectories(module.resolve("target"));
    try (ServerProcess server =
        ServerProcess.start(
            jar,
            Map.of(
                "ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true",
                "FLEXSERVE_CACHE_DIR", target.resolve("it-cache").toString(),
                "FLEXSERVE_PROFILE_REPEATS", "3",
                "FLEXSERVE_SHUTDOWN_GRACE_SECONDS", "120"),
            target.resolve("shutdown-server.log"))) {
      server.awaitReady(Duration.ofSeconds(180));
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

      // A request that takes seconds on the full sub-network: 64 inputs of 256 tokens each.
      String longText = "the elastic server keeps serving while it drains ".repeat(40);
      StringBuilder body = new StringBuilder("{\"input\":[");
      for (int i = 0; i < 64; i++) {
        body.append(i == 0 ? "" : ",")
            .append('"')
            .append(i)
            .append(' ')
            .append(longText)
            .append('"');
      }
      body.append("]}");
      CompletableFuture<HttpResponse<String>> inFlight =
          client.sendAsync(
              post(server, body.toString()).header("X-Subnet", "full").build(),
              HttpResponse.BodyHandlers.ofString());
      awaitQueued(client, server);

      server.terminate();
      // the JVM runs its shutdown hooks some time after the signal: poll, do not guess a sleep
      HttpRequest ready =
          HttpRequest.newBuilder(URI.create(server.url() + "/v2/health/ready")).GET().build();
      int readiness = 200;
      for (long end = System.nanoTime() + 5_000_000_000L;
          readiness == 200 && System.nanoTime() < end; ) {
        readiness = client.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode();
        Thread.sleep(20);
      }
      assertEquals(503, readiness, "readiness must turn false on SIGTERM");
      HttpResponse<String> late =
          client.send(
              post(server, "{\"input\":\"too late\"}").build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, late.statusCode(), late.body());
      assertTrue(late.body().contains("shutting_down"), late.body());

      HttpResponse<String> drained = inFlight.get();
      assertEquals(200, drained.statusCode(), drained.body());
      assertTrue(
          drained.body().contains("\"index\":63"), "all 64 embeddings of the in-flight request");
      assertEquals(0, server.awaitExit(Duration.ofSeconds(120)), server.logTail());
    }
  }

  private static HttpRequest.Builder post(ServerProcess server, String body) {
    return HttpRequest.newBuilder(URI.create(server.url() + "/v1/embeddings"))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  /** Waits until the server reports the long request queued or running. */
  private static void awaitQueued(HttpClient client, ServerProcess server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      String metrics =
          client
              .send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).GET().build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      if (metrics.contains("flexserve_queue_depth{model=\"all-minilm-l6-v2\",} 1.0")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the long request never showed in flexserve_queue_depth");
  }
}
