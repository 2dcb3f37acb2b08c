package io.flexserve.server.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The warm-up never holds readiness for long when it cannot do its work: an unreachable port ends
 * it after a few failures, and shutdown ends it at once. (Its requests through a real server:
 * {@link WarmupTest}.)
 */
class RequestPathWarmupTest {
  @Test
  void anUnreachablePort_endsTheWarmUpEarly_withEveryRequestUnanswered() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed below: connections are refused
    }
    RequestPathWarmup.Report report =
        RequestPathWarmup.run(
            URI.create("http://127.0.0.1:" + port),
            List.of(new ModelCatalogTest.Audio("m")),
            Duration.ofSeconds(120),
            Optional.empty(),
            () -> false);
    assertTrue(report.took().compareTo(Duration.ofSeconds(60)) < 0, "" + report);
    assertEquals(Map.of(RequestPathWarmup.NO_ANSWER, report.sent()), report.statuses());
    assertTrue(report.sent() >= 10, "" + report);
    assertTrue(report.answeredByModel().isEmpty());
  }

  @Test
  void shutdown_endsTheWarmUpBeforeItSendsAnything() throws Exception {
    RequestPathWarmup.Report report =
        RequestPathWarmup.run(
            URI.create("http://127.0.0.1:1"),
            List.of(new ModelCatalogTest.Audio("m")),
            Duration.ofSeconds(120),
            Optional.empty(),
            () -> true);
    assertEquals(0, report.sent());
    assertTrue(report.statuses().isEmpty());
  }
}
