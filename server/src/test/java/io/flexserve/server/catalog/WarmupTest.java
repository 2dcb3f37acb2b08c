package io.flexserve.server.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.api.LinkedRepository;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.generation.TinyStoriesRepository;
import io.flexserve.server.vision.VisionRepository;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The warm-up: readiness waits for it, it sends its requests through the real HTTP port with the
 * configured key, and every kind's requests are valid ones, answered 200 or, where they are meant
 * to be refused, 429.
 */
class WarmupTest {
  static final String ENCODER = ServerHarness.MODEL;
  static final String DECODER = TinyStoriesRepository.MODEL;
  static final String VISION = VisionRepository.MODEL;
  static final double WARMUP_SECONDS = 4;

  @Test
  void readinessWaitsForAWarmUpThatServesEveryKindThroughTheHttpPort() throws Exception {
    Path repo = LinkedRepository.everyKind("test-warmup-repo");
    try (EmbeddedServer server =
        ApplicationContext.run(
            EmbeddedServer.class,
            Map.of(
                "flexserve.model-dir",
                repo.toString(),
                "flexserve.warmup-seconds",
                String.valueOf(WARMUP_SECONDS),
                // authentication on: the warm-up must send a configured key, or get only 401s
                "flexserve.api-keys",
                "warm-key",
                "micronaut.server.max-request-size",
                "1048576"))) {
      ModelCatalog catalog = server.getApplicationContext().getBean(ModelCatalog.class);
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      boolean sawWarming = false;
      while (!catalog.serverReady()) {
        assertTrue(System.nanoTime() < deadline, "not ready in 3 minutes");
        if (catalog.loadingFinished()) {
          sawWarming = true;
        }
        Thread.sleep(20);
      }
      // Ready implies warmed: the report is written before readiness turns true.
      RequestPathWarmup.Report report = catalog.lastWarmup().orElseThrow();
      assertTrue(sawWarming, "loading finished but readiness did not wait for the warm-up");
      assertTrue(
          report.took().toMillis() >= WARMUP_SECONDS * 1000,
          "the warm-up stopped before its budget: " + report);
      assertEquals(
          Set.of(DECODER, ENCODER, VISION), report.answeredByModel().keySet(), "" + report);
      // 200s, and 429s from the strict target no run meets and from the bursts: no 401 (the key
      // was sent), no 4xx for a malformed warm-up request, no 5xx, none unanswered.
      assertEquals(Set.of(200, 429), report.statuses().keySet(), "" + report);
      assertTrue(report.sent() > 100, "" + report);
      assertFalse(catalog.draining());
    }
  }
}
