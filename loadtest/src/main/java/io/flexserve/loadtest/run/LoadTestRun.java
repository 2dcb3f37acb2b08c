package io.flexserve.loadtest.run;

import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.ModelMenu;
import io.flexserve.loadtest.endpoint.Readiness;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Runs one open-loop load test from a {@link RunPlan}. */
public final class LoadTestRun {
  private static final Duration READY_POLL = Duration.ofMillis(250);

  private LoadTestRun() {}

  /**
   * A client suited to load tests: HTTP/1.1 (predictable connection-per-in-flight-request
   * behaviour, no h2c upgrade attempt) and a connect timeout. Its threads are daemon threads.
   */
  public static HttpClient newClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Waits for readiness, then sends every scheduled request at its intended time and returns the
   * records and report. Blocks until every request has completed or timed out.
   *
   * @param plan the run
   * @param client the client to send with; the caller keeps ownership
   * @param progress receives one-line progress messages
   * @return the records and report
   * @throws ServerNotReadyException if the readiness probe did not answer 200 within the plan's
   *     ready timeout
   * @throws InterruptedException if interrupted while waiting; requests already sent are abandoned
   */
  public static RunResult execute(RunPlan plan, HttpClient client, Consumer<String> progress)
      throws ServerNotReadyException, InterruptedException {
    progress.accept(
        "waiting up to "
            + plan.readyTimeout().toSeconds()
            + " s for "
            + plan.requests().endpoint().ready());
    if (!Readiness.await(client, plan.requests().endpoint(), plan.readyTimeout(), READY_POLL)) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("interrupted while waiting for readiness");
      }
      throw new ServerNotReadyException(plan.requests().endpoint().ready(), plan.readyTimeout());
    }

    // Sub-network qualities are optional: a server without /v1/models simply gives a report without
    // quality.
    Map<String, Double> quality =
        new java.util.HashMap<>(
            ModelMenu.qualities(client, plan.requests().endpoint(), plan.requests().model()));
    List<PlannedRequest> planned = plan.workload().plan();
    String visionModel = plan.requests().vision().model();
    if (!visionModel.equals(plan.requests().model())
        && planned.stream()
            .anyMatch(p -> p.kind() == io.flexserve.loadtest.workload.EndpointKind.VISION)) {
      // vision variants are named <subnet>@<resolution>, so they cannot clash with the other
      // model's names
      ModelMenu.qualities(client, plan.requests().endpoint(), visionModel)
          .forEach(quality::putIfAbsent);
    }
    List<HttpRequest> requests = new ArrayList<>(planned.size());
    for (PlannedRequest p : planned) {
      requests.add(plan.requests().build(p));
    }
    double spanSeconds =
        planned.isEmpty() ? 0 : planned.get(planned.size() - 1).offsetNanos() / 1e9;
    progress.accept(
        String.format(
            Locale.ROOT,
            "ready; sending %d requests over %.1f s (%s)%s",
            planned.size(),
            spanSeconds,
            plan.workload().describe().get("arrival"),
            planned.size() == ScheduleBounds.HARD_CAP ? "; stopped at the hard cap" : ""));

    List<RequestRecord> records =
        OpenLoopSender.send(client, requests, planned, plan.requests().timeout());
    return new RunResult(records, Report.of(records, quality));
  }
}
