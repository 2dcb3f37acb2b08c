package io.flexserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class OpenLoopSenderTest {
  private static final HttpClient CLIENT = LoadTestRun.newClient(Duration.ofSeconds(2));

  @Test
  void send_closedPort_recordsTransportErrorsWithTheirCause() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/embeddings"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();

    List<RequestRecord> records =
        OpenLoopSender.send(
            CLIENT,
            List.of(request, request),
            List.of(
                planned(0, 0, OptionalDouble.of(15)),
                planned(1, 1_000_000, OptionalDouble.empty())),
            Duration.ofSeconds(2));

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
        List.of(), OpenLoopSender.send(CLIENT, List.of(), List.of(), Duration.ofSeconds(1)));
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
  void send_measuresLatencyFromIntendedTime() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();

    RequestRecord r =
        OpenLoopSender.send(
                CLIENT,
                List.of(request),
                List.of(planned(0, 50_000_000, OptionalDouble.empty())),
                Duration.ofSeconds(1))
            .get(0);

    assertEquals(50_000_000, r.intendedNanos());
    assertTrue(r.sendLagNanos() >= 0 && r.sendLagNanos() < 100_000_000, "lag " + r.sendLagNanos());
  }

  private static PlannedRequest planned(int index, long offsetNanos, OptionalDouble target) {
    return new PlannedRequest(index, offsetNanos, List.of("x"), target);
  }
}
