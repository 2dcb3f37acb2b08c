package io.flexserve.loadtest.endpoint;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits for the server's readiness probe, {@code GET /v2/health/ready}, to answer 200. */
public final class Readiness {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private Readiness() {}

  /**
   * Polls the readiness probe until it answers 200 or {@code timeout} passes. Connection errors and
   * other statuses count as "not yet".
   *
   * @param client the client to probe with
   * @param endpoint the server
   * @param timeout how long to keep trying; zero probes once
   * @param interval pause between probes
   * @return whether the server became ready in time; false also when the calling thread is
   *     interrupted (its interrupt flag is then set again)
   */
  public static boolean await(
      HttpClient client, Endpoint endpoint, Duration timeout, Duration interval) {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest probe =
        HttpRequest.newBuilder(endpoint.ready()).timeout(PROBE_TIMEOUT).GET().build();
    while (true) {
      try {
        if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException notYet) {
        // refused or reset while the server starts: try again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        Thread.sleep(Math.min(interval.toMillis(), Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
