package io.flexserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.generation.TinyStoriesRepository;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with more work than the grace period allows (issue 17, item 6): the server stops within
 * the grace period, and every request admitted before it gets an answer, finished (200) or 503
 * {@code shutting_down}; none is cut off.
 */
class GracefulShutdownTest {
  @Test
  void shutdownEndsWithinTheGracePeriodAndAnswersEveryAdmittedRequest() throws Exception {
    ApplicationContext context =
        ApplicationContext.run(
                EmbeddedServer.class,
                Map.of(
                    "micronaut.server.port",
                    "-1",
                    "flexserve.model-dir",
                    TinyStoriesRepository.ensure().toString(),
                    "flexserve.queue-capacity",
                    "100",
                    "flexserve.max-running-generations",
                    "4"),
                "test")
            .getApplicationContext();
    EmbeddedServer server = context.getBean(EmbeddedServer.class);
    ModelCatalog catalog = context.getBean(ModelCatalog.class);
    long ready = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!catalog.serverReady()) {
      assertTrue(System.nanoTime() < ready, "model did not load");
      Thread.sleep(100);
    }
    HttpClient client = HttpClient.newHttpClient();
    URI uri = server.getURI().resolve("/v1/completions");
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0;
        i < 40;
        i++) { // each fills the 512-token context: far more than 2 s of decoding in all
      answers.add(
          client.sendAsync(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"prompt\":\"Once upon a time\",\"temperature\":1,"
                              + "\"stream\":"
                              + (i % 4 == 0)
                              + "}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    String running = "flexserve_generations_running{model=\"tinystories\",}";
    long admitted = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (metric(client, server, running) < 4) {
      assertTrue(System.nanoTime() < admitted, "the generations did not start");
      Thread.sleep(20);
    }
    long start = System.nanoTime();
    int exit = GracefulShutdown.run(context, Duration.ofSeconds(2));
    double seconds = (System.nanoTime() - start) / 1e9;

    // Measured 1.78 s. The bound leaves room for a loaded CI machine, yet fails on the defects it
    // guards: a second
    // 30 s wait for runs in the catalog's close, or Netty's 2 s quiet period on top of the grace
    // period.
    assertTrue(seconds < 3.5, "stopped " + seconds + " s after SIGTERM; the grace period is 2 s");
    assertEquals(1, exit, "some requests could not finish in time");
    int finished = 0;
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> r =
          a.get(10, TimeUnit.SECONDS); // an IOException here is a request cut off unanswered
      if (r.statusCode() == 200) {
        finished++;
        if (r.body()
            .startsWith(
                "data:")) { // a stream: it ends with [DONE], with the shutdown error if cut short
          assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
        }
      } else {
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"code\":\"shutting_down\""), r.body());
        refused++;
      }
    }
    assertEquals(40, finished + refused);
    assertTrue(refused > 0, "the test needs more work than the grace period allows");
  }

  private static double metric(HttpClient client, EmbeddedServer server, String series)
      throws Exception {
    String body =
        client
            .send(
                HttpRequest.newBuilder(server.getURI().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }
}
