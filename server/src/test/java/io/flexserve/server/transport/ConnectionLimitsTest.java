package io.flexserve.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a client connection may hold (issue 17, items 7 and 9): a request head and its body must
 * arrive within their timeouts, at most {@code max} connections are open, and a request line or
 * headers over Netty's limits get 414 / 431 (a garbled one 400 {@code malformed_request}), each
 * with an {@code X-Request-Id}. Raw sockets, so requests can be slow, partial or malformed on
 * purpose.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsTest implements TestPropertyProvider {
  static final int MAX = 4;
  @Inject EmbeddedServer server;
  @Inject ConnectionGuard guard;

  @Override
  public Map<String, String> getProperties() {
    return Map.of(
        "flexserve.connections.max",
        String.valueOf(MAX),
        "flexserve.connections.header-timeout-seconds",
        "1.5",
        "flexserve.connections.body-timeout-seconds",
        "1.5");
  }

  Socket connect() throws IOException {
    Socket s = new Socket(server.getHost(), server.getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  /** Everything the server sends until it closes the connection (or 10 s pass). */
  static String readAll(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // a reset after the answer, or nothing more: what came is what we have
    }
    return out.toString();
  }

  static String send(Socket s, String head) throws IOException {
    s.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return readAll(s);
  }

  @Test
  void aConnectionThatNeverCompletesItsRequestHeadIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket slow = connect()) {
      long start = System.nanoTime();
      slow.getOutputStream()
          .write("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.UTF_8));
      slow.getOutputStream().flush();
      int eof =
          slow.getInputStream()
              .read(); // blocks until the server closes it (10 s socket timeout otherwise)
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(-1, eof);
      assertTrue(
          seconds >= 1.4 && seconds < 9,
          "closed after " + seconds + " s; the header timeout is 1.5 s");
    }
  }

  @Test
  void aBodyThatTricklesIsClosedAfterTheBodyTimeout() throws Exception {
    try (Socket slow = connect()) {
      long start = System.nanoTime();
      slow.getOutputStream()
          .write(
              ("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\n\r\n{\"input\":")
                  .getBytes(StandardCharsets.UTF_8));
      slow.getOutputStream().flush();
      int eof = slow.getInputStream().read();
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(-1, eof);
      assertTrue(
          seconds >= 1.4 && seconds < 9,
          "closed after " + seconds + " s; the body timeout is 1.5 s");
    }
  }

  @Test
  void theClockRestartsAfterEachResponse_soAKeepAliveClientThatKeepsAskingStaysConnected()
      throws Exception {
    try (Socket s = connect()) {
      for (int i = 0; i < 4; i++) { // 4 × 0.8 s: longer than one timeout, never idle for one
        s.getOutputStream()
            .write(
                "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        RawResponse r = RawResponse.read(s.getInputStream());
        assertEquals(200, r.status(), r.body());
        Thread.sleep(800);
      }
    }
  }

  @Test
  void pastTheConnectionLimitANewConnectionGets503AndTheServerServesAgainWhenOthersClose()
      throws Exception {
    awaitOpen(0); // pooled connections of earlier tests have timed out
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX; i++) {
        held.add(connect());
      }
      awaitOpen(MAX);
      try (Socket extra = connect()) {
        String answer = send(extra, "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
        assertTrue(answer.contains("\"code\":\"too_many_connections\""), answer);
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    awaitOpen(0);
    try (Socket s = connect()) {
      String answer =
          send(s, "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  @Test
  void anOversizedHeaderIs431_aLongUrl414_aGarbledRequest400_eachWithARequestId() throws Exception {
    String[][] cases = {
      {
        "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
        "431",
        "headers_too_large"
      },
      {
        "GET /v1/models?" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "414",
        "uri_too_long"
      },
      {"GARBAGE\r\n\r\n", "400", "malformed_request"},
      {"GET /v1/models HTTP/1.1\r\nHost x\r\n\r\n", "400", "malformed_request"},
    };
    for (String[] c : cases) {
      try (Socket s = connect()) {
        String answer = send(s, c[0]);
        assertTrue(answer.matches("(?s)HTTP/1\\.[01] " + c[1] + " .*"), c[2] + ": " + answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("x-request-id: "), answer);
        assertTrue(answer.contains("\"code\":\"" + c[2] + "\""), answer);
      }
    }
  }

  private void awaitOpen(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (guard.openConnections() != n) {
      assertTrue(
          System.nanoTime() < deadline,
          guard.openConnections() + " connections open, waiting for " + n);
      Thread.sleep(20);
    }
  }
}
