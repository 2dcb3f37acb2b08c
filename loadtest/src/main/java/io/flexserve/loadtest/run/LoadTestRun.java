package io.flexserve.loadtest.run;

import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.ModelMenu;
import io.flexserve.loadtest.endpoint.Readiness;
import io.flexserve.loadtest.http.NettyHttpClient;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Runs one open-loop load test from a {@link RunPlan}. */
public final class LoadTestRun {
  private static final Duration READY_POLL = Duration.ofMillis(250);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Cheap requests sent before a run to compile the sender's hot path. The tests, whose runs are
   * short and judged on counts, not timing, set {@code flexserve.loadtest.warm-up-probes} lower.
   */
  private static final int WARM_UP_PROBES =
      Integer.getInteger("flexserve.loadtest.warm-up-probes", 3000);

  private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(5);

  private LoadTestRun() {}

  /**
   * A client for the readiness probe and the model menu: HTTP/1.1 (predictable
   * connection-per-in-flight-request behaviour, no h2c upgrade attempt) and a connect timeout. Its
   * threads are daemon threads.
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
   * @param client the client for the readiness probe and the {@code /v1/models} menu; the caller
   *     keeps ownership. The requests themselves go out through the plan's sender: a {@link
   *     NettyHttpClient} opened for the run and closed after it, or the native sender's subprocess
   * @param progress receives one-line progress messages
   * @return the records and report
   * @throws ServerNotReadyException if the readiness probe did not answer 200 within the plan's
   *     ready timeout
   * @throws InterruptedException if interrupted while waiting; requests already sent are abandoned
   * @throws IllegalArgumentException if the native sender cannot be compiled or the workload
   *     streams (call {@link #checkSender} first to learn this before the readiness wait)
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
    // quality. Sub-networks are named per model ("model/subnet"), as the records are below.
    List<PlannedRequest> planned = plan.workload().plan();
    Map<String, Double> quality = new HashMap<>();
    for (String model :
        new TreeSet<>(planned.stream().map(p -> modelOf(plan, p.kind())).toList())) {
      ModelMenu.qualities(client, plan.requests().endpoint(), model)
          .forEach((subnet, q) -> quality.put(model + "/" + subnet, q));
    }
    if (plan.sender() == Sender.NATIVE) {
      // Nothing to warm up: the sender is compiled C, and it opens its own connections.
      Path binary = NativeBinary.path();
      List<NettyHttpClient.Prepared> requests = new ArrayList<>(planned.size());
      for (PlannedRequest p : planned) {
        requests.add(NettyHttpClient.encode(plan.requests().build(p)));
      }
      announce(plan, planned, progress);
      return result(
          plan,
          planned,
          quality,
          NativeSender.send(
              binary,
              requests,
              planned,
              NettyHttpClient.DEFAULT_MAX_CONNECTIONS,
              plan.requests().timeout()));
    }
    try (NettyHttpClient sender =
        NettyHttpClient.open(NettyHttpClient.DEFAULT_MAX_CONNECTIONS, CONNECT_TIMEOUT)) {
      // Requests are encoded before the run, so their cost is not the sender's.
      List<NettyHttpClient.Prepared> requests = new ArrayList<>(planned.size());
      for (PlannedRequest p : planned) {
        requests.add(sender.prepare(plan.requests().build(p)));
      }
      WarmUp.run(
          sender,
          plan.requests().endpoint().path("/v2/health/live"),
          WARM_UP_PROBES,
          WARM_UP_LIMIT);
      announce(plan, planned, progress);
      return result(
          plan,
          planned,
          quality,
          OpenLoopSender.send(sender, requests, planned, plan.requests().timeout()));
    }
  }

  /**
   * Checks before a run that its sender can send it: the native sender takes non-streaming requests
   * only and is compiled at first use (which this does, so a missing gcc is reported before the
   * readiness wait).
   *
   * @throws IllegalArgumentException naming the streaming request, or the missing compiler
   */
  public static void checkSender(RunPlan plan) {
    if (plan.sender() != Sender.NATIVE) {
      return;
    }
    for (PlannedRequest p : plan.workload().plan()) {
      if (p.kind().streaming()) {
        throw new IllegalArgumentException(
            "--sender native sends non-streaming requests only, but the workload has "
                + p.kind().label()
                + " requests (streaming generation); use --sender netty");
      }
    }
    NativeBinary.path();
  }

  private static RunResult result(
      RunPlan plan,
      List<PlannedRequest> planned,
      Map<String, Double> quality,
      OpenLoopSender.Sent sent) {
    List<RequestRecord> records = new ArrayList<>(sent.records().size());
    for (RequestRecord r : sent.records()) {
      records.add(r.withModel(modelOf(plan, planned.get(r.index()).kind())));
    }
    return new RunResult(records, Report.of(records, quality).withGenerator(sent.cost()));
  }

  /** The {@code model} a request of {@code kind} names. */
  private static String modelOf(RunPlan plan, EndpointKind kind) {
    if (kind == EndpointKind.VISION) {
      return plan.requests().vision().model();
    }
    return kind.generation() ? plan.requests().generationModel() : plan.requests().model();
  }

  private static void announce(
      RunPlan plan, List<PlannedRequest> planned, Consumer<String> progress) {
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
  }
}
