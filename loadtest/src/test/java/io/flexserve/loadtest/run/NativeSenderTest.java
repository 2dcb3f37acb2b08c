package io.flexserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import io.flexserve.loadtest.endpoint.Endpoint;
import io.flexserve.loadtest.http.NettyHttpClient;
import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.report.ConsoleReport;
import io.flexserve.loadtest.report.GeneratorCost;
import io.flexserve.loadtest.report.JsonReport;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer.Behaviour;
import io.flexserve.loadtest.workload.Payloads;
import io.flexserve.loadtest.workload.PlannedRequest;
import io.flexserve.loadtest.workload.TargetDistribution;
import io.flexserve.loadtest.workload.Workload;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native sender against local servers: the same records as the Netty sender, latency from the
 * kernel's receive timestamps, and a record (never a hang) for every way a server can fail.
 * Behaviour only; no timing thresholds beyond generous bounds.
 */
class NativeSenderTest {
  private static final HttpClient CLIENT = LoadTestRun.newClient(Duration.ofSeconds(2));

  @Test
  void execute_nativeAndNetty_giveTheSameRecords() throws Exception {
    List<String> netty = summaries(Sender.NETTY);
    List<String> nativeRecords = summaries(Sender.NATIVE);

    assertEquals(netty, nativeRecords);
    assertTrue(netty.stream().anyMatch(s -> s.startsWith("REJECTED 429")), netty.toString());
    assertTrue(netty.stream().anyMatch(s -> s.contains("w384-d6 MET")), netty.toString());
    assertTrue(netty.stream().anyMatch(s -> s.contains("w192-d3 MISSED")), netty.toString());
  }

  // Each record as "outcome status subnet verdict", sorted: the fake decides by arrival order,
  // which two senders may interleave differently when answers overlap.
  private static List<String> summaries(Sender sender) throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(4, 0, 0))) {
      RunPlan plan =
          new RunPlan(
              requests(server.url(), Duration.ofSeconds(5)),
              new Workload.Generated(
                  new ArrivalProcess.Constant(100),
                  ScheduleBounds.requests(24),
                  7,
                  Payloads.builtIn(1),
                  new TargetDistribution.Fixed(10_000)),
              Duration.ofSeconds(5),
              sender);
      RunResult result = LoadTestRun.execute(plan, CLIENT, message -> {});
      assertEquals(24, server.received());
      assertEquals(sender.label(), result.report().generator().sender());
      List<String> out = new ArrayList<>();
      for (RequestRecord r : result.records()) {
        out.add(
            r.outcome()
                + " "
                + r.status()
                + " "
                + r.subnet()
                + " "
                + r.deadlineVerdict()
                + " "
                + r.queueMillis()
                + " "
                + r.inferenceMillis());
      }
      out.sort(null);
      return out;
    }
  }

  @Test
  void execute_native_reportsItsOwnCostAndKernelTimestamps() throws Exception {
    try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(0, 0, 50))) {
      RunPlan plan =
          new RunPlan(
              requests(server.url(), Duration.ofSeconds(5)),
              new Workload.Generated(
                  new ArrivalProcess.Constant(100),
                  ScheduleBounds.requests(10),
                  7,
                  Payloads.builtIn(1),
                  new TargetDistribution.Fixed(10_000)),
              Duration.ofSeconds(5),
              Sender.NATIVE);

      Report report = LoadTestRun.execute(plan, CLIENT, message -> {}).report();

      assertEquals(10, report.ok());
      assertTrue(report.latency().p50Millis() >= 50, "p50 " + report.latency().p50Millis());
      assertTrue(report.service().p50Millis() >= 50, "service " + report.service().p50Millis());
      GeneratorCost g = report.generator();
      assertEquals(10, g.requests());
      assertTrue(g.processCpuSeconds() > 0, "CPU " + g.processCpuSeconds());
      assertTrue(g.nativeStats().wakes() > 0);
      assertEquals(10, g.nativeStats().answers());
      assertEquals(0, g.nativeStats().timestampFallbacks(), "SO_TIMESTAMPNS timed every answer");
      String console = ConsoleReport.render(report, Map.of());
      assertTrue(console.contains("wakes per request"), console);
      assertTrue(console.contains("Java parent CPU"), console);
      GeneratorCost back =
          JsonReport.parse(JsonReport.render(report, Map.of())).report().generator();
      assertEquals(g.nativeStats(), back.nativeStats());
      assertEquals("native", back.sender());
    }
  }

  @Test
  void send_delayedAnswer_latencyIsAtLeastTheDelay() throws Exception {
    try (RawServer server = RawServer.start(socket -> answerAfter(socket, 200))) {
      RequestRecord r = sendOne(server.url(), Duration.ofSeconds(5));

      assertEquals(Outcome.OK, r.outcome());
      assertEquals("w1", r.subnet());
      assertTrue(r.latencyNanos() >= 200_000_000L, "latency " + r.latencyNanos());
      assertTrue(r.latencyNanos() < 5_000_000_000L, "latency " + r.latencyNanos());
    }
  }

  @Test
  void send_serverClosesWithoutAnswer_recordsTransportError() throws Exception {
    try (RawServer server = RawServer.start(NativeSenderTest::readThenClose)) {
      RequestRecord r = sendOne(server.url(), Duration.ofSeconds(5));

      assertEquals(Outcome.TRANSPORT_ERROR, r.outcome());
      assertTrue(r.error().startsWith("IOException"), r.error());
    }
  }

  @Test
  void send_serverResets_recordsTransportError() throws Exception {
    try (RawServer server =
        RawServer.start(
            socket -> {
              readRequest(socket);
              socket.setSoLinger(true, 0); // close with RST
              socket.close();
            })) {
      RequestRecord r = sendOne(server.url(), Duration.ofSeconds(5));

      assertEquals(Outcome.TRANSPORT_ERROR, r.outcome());
      assertTrue(r.error().startsWith("IOException"), r.error());
    }
  }

  @Test
  void send_serverNeverAnswers_recordsTimeout() throws Exception {
    try (RawServer server =
        RawServer.start(
            socket -> {
              readRequest(socket);
              try {
                Thread.sleep(10_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })) {
      RequestRecord r = sendOne(server.url(), Duration.ofMillis(300));

      assertEquals(Outcome.TIMEOUT, r.outcome());
      assertTrue(r.error().startsWith("TimeoutException"), r.error());
      assertTrue(r.latencyNanos() >= 300_000_000L, "latency " + r.latencyNanos());
    }
  }

  @Test
  void send_closedPort_recordsConnectException() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    RequestRecord r = sendOne("http://127.0.0.1:" + port, Duration.ofSeconds(2));

    assertEquals(Outcome.TRANSPORT_ERROR, r.outcome());
    assertTrue(r.error().startsWith("ConnectException"), r.error());
  }

  @Test
  void send_chunkedAnswer_recordsTransportError() throws Exception {
    try (RawServer server =
        RawServer.start(
            socket -> {
              readRequest(socket);
              socket
                  .getOutputStream()
                  .write(
                      ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
              readThenClose(socket);
            })) {
      RequestRecord r = sendOne(server.url(), Duration.ofSeconds(5));

      assertEquals(Outcome.TRANSPORT_ERROR, r.outcome());
      assertTrue(r.error().contains("chunked"), r.error());
    }
  }

  @Test
  void compile_missingCompiler_failsNamingIt(@TempDir Path dir) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NativeBinary.compile("no-such-gcc-flexserve", dir));
    assertTrue(e.getMessage().contains("no-such-gcc-flexserve"), e.getMessage());
    assertTrue(e.getMessage().contains("--sender netty"), e.getMessage());
  }

  private static RequestRecord sendOne(String url, Duration timeout) throws Exception {
    NettyHttpClient.Prepared request =
        NettyHttpClient.encode(
            OutgoingRequest.post(
                URI.create(url + "/v1/embeddings"),
                Map.of("Content-Type", "application/json"),
                "{\"model\":\"m\",\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                timeout));
    List<RequestRecord> records =
        NativeSender.send(
                NativeBinary.path(),
                List.of(request),
                List.of(new PlannedRequest(0, 0, List.of("x"), OptionalDouble.empty())),
                4,
                timeout)
            .records();
    assertEquals(1, records.size());
    return records.get(0);
  }

  private static EmbeddingsRequests requests(String url, Duration timeout) {
    return new EmbeddingsRequests(Endpoint.parse(url, false), "all-minilm-l6-v2", false, timeout);
  }

  private static void readRequest(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    int n = in.read(buffer); // the test requests are small: one read takes the whole request
    if (n < 0) {
      throw new IOException("no request");
    }
  }

  private static void readThenClose(Socket socket) throws IOException {
    readRequest(socket);
    socket.close();
  }

  private static void answerAfter(Socket socket, long millis) throws IOException {
    readRequest(socket);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    socket
        .getOutputStream()
        .write(
            "HTTP/1.1 200 OK\r\nX-Subnet: w1\r\nContent-Length: 2\r\n\r\n{}"
                .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    readThenCloseQuietly(socket);
  }

  private static void readThenCloseQuietly(Socket socket) {
    try {
      socket.getInputStream().read(); // until the client closes
      socket.close();
    } catch (IOException e) {
      // the client went away
    }
  }

  /** What a raw server does with one accepted connection. */
  interface Handler {
    void handle(Socket socket) throws IOException;
  }

  /** A TCP server on 127.0.0.1 that runs a handler per connection on its own daemon thread. */
  static final class RawServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;

    private RawServer(Handler handler) throws IOException {
      socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket s = socket.accept();
                    Thread t =
                        new Thread(
                            () -> {
                              try (s) {
                                handler.handle(s);
                              } catch (IOException e) {
                                // the test sees the client's side
                              }
                            });
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    static RawServer start(Handler handler) throws IOException {
      return new RawServer(handler);
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
