package io.flexserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import io.flexserve.loadtest.endpoint.Endpoint;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer.Behaviour;
import io.flexserve.loadtest.workload.Payloads;
import io.flexserve.loadtest.workload.TargetDistribution;
import io.flexserve.loadtest.workload.TraceEntry;
import io.flexserve.loadtest.workload.Workload;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class LoadTestRunTest {
  private static final HttpClient CLIENT = LoadTestRun.newClient(Duration.ofSeconds(2));

  @Test
  void execute_fiftyRequests_reportCountsEqualWhatTheServerCounted() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(4, 2, 0))) {
      RunPlan plan =
          plan(
              server,
              new ArrivalProcess.Poisson(250),
              ScheduleBounds.requests(50),
              OptionalDouble.of(10_000),
              true,
              Duration.ofSeconds(5));

      RunResult result = LoadTestRun.execute(plan, CLIENT, message -> {});

      Report report = result.report();
      assertEquals(50, server.received());
      assertEquals(server.received(), report.sent());
      assertEquals(server.ok(), report.ok());
      assertEquals(server.rejected(), report.rejected());
      assertEquals(12, report.rejected());
      assertEquals(0, report.errors());
      Map<String, Long> named = new java.util.TreeMap<>();
      server.subnetCounts().forEach((k, v) -> named.put("all-minilm-l6-v2/" + k, v));
      assertEquals(named, report.subnetCounts(), "sub-networks are named per model");
      assertEquals(List.of("all-minilm-l6-v2"), report.models());
      assertEquals(server.ok(), report.good(), "a 10 s target is met by every 2xx");
      assertEquals(server.ok(), report.serverVerdicts());
      assertEquals(server.ok() - server.deadlineMissed(), report.serverMet());
      assertEquals((double) server.ok() / server.received(), report.sloAttainment(), 1e-12);
      assertEquals(3, server.readyProbes(), "two 503 probes, then 200");
      assertEquals(50, server.targetHeaders().size());
      assertEquals(List.of("10000"), server.targetHeaders().stream().distinct().toList());
      assertEquals(List.of("strict"), server.policyHeaders().stream().distinct().toList());
    }
  }

  @Test
  void execute_recordsCarryResponseHeadersInScheduleOrder() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(Behaviour.plain())) {
      RunPlan plan =
          plan(
              server,
              new ArrivalProcess.Constant(200),
              ScheduleBounds.requests(10),
              OptionalDouble.empty(),
              false,
              Duration.ofSeconds(5));

      List<RequestRecord> records = LoadTestRun.execute(plan, CLIENT, message -> {}).records();

      assertEquals(10, records.size());
      for (int i = 0; i < records.size(); i++) {
        RequestRecord r = records.get(i);
        assertEquals(i, r.index());
        assertEquals(i * 5_000_000L, r.intendedNanos());
        assertEquals(Outcome.OK, r.outcome());
        assertTrue(r.subnet().equals("w384-d6") || r.subnet().equals("w192-d3"), r.subnet());
        assertEquals(0.25, r.queueMillis(), 1e-9);
        assertEquals(1.5, r.inferenceMillis(), 1e-9);
        assertTrue(r.serviceNanos() <= r.latencyNanos());
      }
      assertTrue(server.policyHeaders().isEmpty());
      assertTrue(server.targetHeaders().isEmpty());
    }
  }

  @Test
  void execute_slowServer_keepsSendingOnSchedule() throws Exception {
    // 20 requests 10 ms apart against a server that takes 300 ms each: closed-loop with one worker
    // would need
    // 6 s; open-loop sends all of them within 0.2 s and finishes in about 0.5 s.
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(0, 0, 300))) {
      RunPlan plan =
          plan(
              server,
              new ArrivalProcess.Constant(100),
              ScheduleBounds.requests(20),
              OptionalDouble.of(100),
              false,
              Duration.ofSeconds(5));

      Report report = LoadTestRun.execute(plan, CLIENT, message -> {}).report();

      assertEquals(20, report.ok());
      // well under one-at-a-time's 6 s even on a loaded machine
      assertTrue(report.durationSeconds() < 4.0, "took " + report.durationSeconds() + " s");
      assertTrue(report.latency().p50Millis() >= 300, "p50 " + report.latency().p50Millis());
      assertEquals(0, report.good(), "every request missed the 100 ms target");
      assertEquals(0.0, report.sloAttainment());
    }
  }

  @Test
  void execute_responsesSlowerThanTimeout_areTimeouts() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(0, 0, 1500))) {
      RunPlan plan =
          plan(
              server,
              new ArrivalProcess.Constant(100),
              ScheduleBounds.requests(3),
              OptionalDouble.empty(),
              false,
              Duration.ofMillis(200));

      Report report = LoadTestRun.execute(plan, CLIENT, message -> {}).report();

      assertEquals(3, report.timeouts());
      assertEquals(0, report.ok());
      assertEquals(0.0, report.sloAttainment());
    }
  }

  @Test
  void execute_serverNeverReady_failsWithoutSending() throws Exception {
    try (FakeEmbeddingsServer server =
        FakeEmbeddingsServer.start(new Behaviour(0, Integer.MAX_VALUE, 0))) {
      RunPlan plan =
          new RunPlan(
              requests(server, false, Duration.ofSeconds(1)),
              generated(
                  new ArrivalProcess.Constant(10),
                  ScheduleBounds.requests(5),
                  OptionalDouble.empty()),
              Duration.ofMillis(300));

      assertThrows(
          ServerNotReadyException.class, () -> LoadTestRun.execute(plan, CLIENT, message -> {}));
      assertEquals(0, server.received());
      assertTrue(server.readyProbes() >= 2);
    }
  }

  @Test
  void execute_reportsProgress() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(Behaviour.plain())) {
      List<String> messages = new ArrayList<>();
      RunPlan plan =
          plan(
              server,
              new ArrivalProcess.Constant(100),
              ScheduleBounds.requests(2),
              OptionalDouble.empty(),
              false,
              Duration.ofSeconds(5));

      LoadTestRun.execute(plan, CLIENT, messages::add);

      assertEquals(2, messages.size());
      assertTrue(messages.get(1).startsWith("ready; sending 2 requests"), messages.get(1));
    }
  }

  @Test
  void execute_targetChoices_sendsAndJudgesEachRequestsOwnTarget() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(0, 0, 20))) {
      Workload workload =
          new Workload.Generated(
              new ArrivalProcess.Constant(200),
              ScheduleBounds.requests(40),
              3,
              Payloads.builtIn(1),
              new TargetDistribution.Choices(List.of(1.0, 10_000.0)));
      RunPlan plan =
          new RunPlan(
              requests(server, false, Duration.ofSeconds(5)), workload, Duration.ofSeconds(5));

      RunResult result = LoadTestRun.execute(plan, CLIENT, message -> {});

      List<String> sentTargets = server.targetHeaders().stream().distinct().sorted().toList();
      assertEquals(List.of("1", "10000"), sentTargets);
      long generous = result.records().stream().filter(r -> r.targetMillis() == 10_000.0).count();
      assertEquals(
          generous, result.report().good(), "only the 10 s targets are met by a 20 ms server");
      assertEquals(40, result.report().targeted());
    }
  }

  @Test
  void execute_replayedTrace_sendsTheTracesTextsAtItsOffsets() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(Behaviour.plain())) {
      List<TraceEntry> trace =
          List.of(
              new TraceEntry(0, new TraceEntry.Texts(List.of("alpha")), OptionalDouble.of(40)),
              new TraceEntry(20_000_000, new TraceEntry.Count(2), OptionalDouble.empty()),
              new TraceEntry(40_000_000, new TraceEntry.PerRequest(), OptionalDouble.empty()));
      Workload workload =
          new Workload.Replayed(
              "test",
              trace,
              ScheduleBounds.duration(10),
              1,
              new Payloads(List.of("p", "q", "r"), 1),
              new TargetDistribution.Fixed(7));
      RunPlan plan =
          new RunPlan(
              requests(server, false, Duration.ofSeconds(5)), workload, Duration.ofSeconds(5));

      List<RequestRecord> records = LoadTestRun.execute(plan, CLIENT, message -> {}).records();

      assertEquals(3, records.size());
      assertEquals(
          List.of(0L, 20_000_000L, 40_000_000L),
          records.stream().map(RequestRecord::intendedNanos).toList());
      assertEquals(
          List.of(40.0, 7.0, 7.0), records.stream().map(RequestRecord::targetMillis).toList());
      List<String> bodies = server.bodies();
      assertTrue(
          bodies.contains("{\"model\":\"all-minilm-l6-v2\",\"input\":\"alpha\"}"),
          bodies.toString());
      assertTrue(
          bodies.contains("{\"model\":\"all-minilm-l6-v2\",\"input\":[\"p\",\"q\"]}"),
          bodies.toString());
      assertTrue(
          bodies.contains("{\"model\":\"all-minilm-l6-v2\",\"input\":\"r\"}"), bodies.toString());
    }
  }

  @Test
  void execute_serverListsQualities_reportHasMeanQuality() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(Behaviour.plain())) {
      RunPlan plan =
          plan(
              server,
              new ArrivalProcess.Constant(200),
              ScheduleBounds.requests(10),
              OptionalDouble.empty(),
              false,
              Duration.ofSeconds(5));

      Report report = LoadTestRun.execute(plan, CLIENT, message -> {}).report();

      assertEquals(
          Map.of("all-minilm-l6-v2/w384-d6", 1.0, "all-minilm-l6-v2/w192-d3", 0.5),
          report.subnetQuality());
      assertEquals(Map.of("all-minilm-l6-v2", 0.75), report.meanQualityByModel());
      assertEquals(0.75, report.meanQuality(), 1e-12, "five of each");
    }
  }

  private static RunPlan plan(
      FakeEmbeddingsServer server,
      ArrivalProcess arrival,
      ScheduleBounds bounds,
      OptionalDouble target,
      boolean strict,
      Duration timeout) {
    return new RunPlan(
        requests(server, strict, timeout),
        generated(arrival, bounds, target),
        Duration.ofSeconds(5));
  }

  private static Workload generated(
      ArrivalProcess arrival, ScheduleBounds bounds, OptionalDouble target) {
    TargetDistribution targets =
        target.isPresent()
            ? new TargetDistribution.Fixed(target.getAsDouble())
            : new TargetDistribution.None();
    return new Workload.Generated(arrival, bounds, 7, Payloads.builtIn(1), targets);
  }

  private static EmbeddingsRequests requests(
      FakeEmbeddingsServer server, boolean strict, Duration timeout) {
    return new EmbeddingsRequests(
        Endpoint.parse(server.url(), false), "all-minilm-l6-v2", strict, timeout);
  }
}
