package io.flexserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.http.NettyHttpClient;
import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.report.GeneratorCost;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OpenLoopSenderTest {
  private static final NettyHttpClient CLIENT = NettyHttpClient.open(64, Duration.ofSeconds(2));

  @AfterAll
  static void close() {
    CLIENT.close();
  }

  private static NettyHttpClient.Prepared post(String url) {
    return CLIENT.prepare(
        OutgoingRequest.post(
            URI.create(url),
            Map.of("Content-Type", "application/json"),
            "{\"model\":\"m\",\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8),
            Duration.ofSeconds(2)));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void send_closedPort_recordsTransportErrorsWithTheirCause() throws Exception {
    NettyHttpClient.Prepared request = post("http://127.0.0.1:" + closedPort() + "/v1/embeddings");

    List<RequestRecord> records =
        OpenLoopSender.send(
                CLIENT,
                List.of(request, request),
                List.of(
                    planned(0, 0, OptionalDouble.of(15)),
                    planned(1, 1_000_000, OptionalDouble.empty())),
                Duration.ofSeconds(2))
            .records();

    assertEquals(2, records.size());
    for (RequestRecord r : records) {
      assertEquals(Outcome.TRANSPORT_ERROR, r.outcome());
      assertTrue(r.error().startsWith("ConnectException"), r.error());
    }
    assertEquals(15.0, records.get(0).targetMillis());
    assertTrue(Double.isNaN(records.get(1).targetMillis()));
  }

  @Test
  void send_emptySchedule_returnsNoRecords() throws InterruptedException {
    assertEquals(
        List.of(),
        OpenLoopSender.send(CLIENT, List.of(), List.of(), Duration.ofSeconds(1)).records());
  }

  @Test
  void send_requestsAndPlanOfDifferentLength_fails() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            OpenLoopSender.send(
                CLIENT,
                List.of(),
                List.of(planned(0, 0, OptionalDouble.empty())),
                Duration.ofSeconds(1)));
  }

  @Test
  void send_measuresLatencyFromIntendedTime() throws Exception {
    RequestRecord r =
        OpenLoopSender.send(
                CLIENT,
                List.of(post("http://127.0.0.1:" + closedPort() + "/")),
                List.of(planned(0, 50_000_000, OptionalDouble.empty())),
                Duration.ofSeconds(1))
            .records()
            .get(0);

    assertEquals(50_000_000, r.intendedNanos());
    assertTrue(r.sendLagNanos() >= 0 && r.sendLagNanos() < 100_000_000, "lag " + r.sendLagNanos());
  }

  @Test
  void send_againstAServer_recordsEveryAnswer_andMeasuresItsOwnCpu() throws Exception {
    try (FakeEmbeddingsServer server =
        FakeEmbeddingsServer.start(new FakeEmbeddingsServer.Behaviour(4, 0, 0))) {
      List<NettyHttpClient.Prepared> requests = new ArrayList<>();
      List<PlannedRequest> planned = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        requests.add(post(server.url() + "/v1/embeddings"));
        planned.add(planned(i, i * 2_000_000L, OptionalDouble.of(1000)));
      }

      OpenLoopSender.Sent sent =
          OpenLoopSender.send(CLIENT, requests, planned, Duration.ofSeconds(2));

      assertEquals(100, sent.records().size());
      assertEquals(
          25, sent.records().stream().filter(r -> r.outcome() == Outcome.REJECTED).count());
      assertEquals(75, sent.records().stream().filter(r -> r.outcome() == Outcome.OK).count());
      assertEquals(server.received(), 100);
      for (int i = 0; i < 100; i++) {
        assertEquals(i, sent.records().get(i).index());
        assertEquals(i * 2_000_000L, sent.records().get(i).intendedNanos());
      }
      GeneratorCost cost = sent.cost();
      assertEquals(100, cost.requests());
      assertTrue(cost.wallSeconds() >= 0.198, "wall " + cost.wallSeconds());
      assertTrue(cost.processCpuSeconds() > 0, "process CPU " + cost.processCpuSeconds());
      assertTrue(
          cost.senderCpuSeconds() > 0 && cost.senderCpuSeconds() <= cost.processCpuSeconds(),
          "sender CPU " + cost.senderCpuSeconds());
    }
  }

  private static PlannedRequest planned(int index, long offsetNanos, OptionalDouble target) {
    return new PlannedRequest(index, offsetNanos, List.of("x"), target);
  }
}
