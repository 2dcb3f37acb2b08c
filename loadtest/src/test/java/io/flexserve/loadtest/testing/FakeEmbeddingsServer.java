package io.flexserve.loadtest.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for flexserve's HTTP API on 127.0.0.1 (ephemeral port): {@code GET /v2/health/ready},
 * {@code GET /v1/models} and {@code POST /v1/embeddings}, with the routing response headers. It
 * counts what it answered so a test can compare the load tester's report with the truth.
 *
 * <p>Behaviour is deterministic by arrival order: the n-th embeddings request (from 1) is shed with
 * 429 when {@code rejectEvery > 0} and n is a multiple of it; otherwise it is served by {@code
 * w384-d6} when n is odd and {@code w192-d3} when even, and, if it carried {@code
 * X-Latency-Target-Ms}, says {@code X-Deadline-Met: false} when n is a multiple of 3. Handlers run
 * on a cached thread pool, so slow responses overlap.
 */
public final class FakeEmbeddingsServer implements AutoCloseable {
  /**
   * What the fake does.
   *
   * @param rejectEvery shed every n-th request with 429; 0 never
   * @param notReadyProbes answer this many readiness probes with 503 before answering 200
   * @param delayMillis sleep this long before answering each embeddings request
   */
  public record Behaviour(int rejectEvery, int notReadyProbes, long delayMillis) {
    public static Behaviour plain() {
      return new Behaviour(0, 0, 0);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Behaviour behaviour;
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger rejected = new AtomicInteger();
  private final AtomicInteger readyProbes = new AtomicInteger();
  private final AtomicInteger deadlineMissed = new AtomicInteger();
  private final Map<String, Integer> subnets = new ConcurrentHashMap<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> targetHeaders = new CopyOnWriteArrayList<>();
  private final List<String> policyHeaders = new CopyOnWriteArrayList<>();

  private FakeEmbeddingsServer(Behaviour behaviour) throws IOException {
    this.behaviour = behaviour;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    server.createContext("/v2/health/ready", this::ready);
    server.createContext("/v1/embeddings", this::embeddings);
    server.createContext("/v1/models", this::models);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts a fake server; close it when done. */
  public static FakeEmbeddingsServer start(Behaviour behaviour) throws IOException {
    return new FakeEmbeddingsServer(behaviour);
  }

  /** Base URL, such as {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int received() {
    return received.get();
  }

  public int ok() {
    return ok.get();
  }

  public int rejected() {
    return rejected.get();
  }

  public int readyProbes() {
    return readyProbes.get();
  }

  public int deadlineMissed() {
    return deadlineMissed.get();
  }

  /** 200 responses per sub-network, by name. */
  public Map<String, Long> subnetCounts() {
    Map<String, Long> out = new TreeMap<>();
    subnets.forEach((k, v) -> out.put(k, v.longValue()));
    return out;
  }

  /** Request bodies in arrival order. */
  public List<String> bodies() {
    return List.copyOf(bodies);
  }

  /** Values of {@code X-Latency-Target-Ms} received, one per request that had it. */
  public List<String> targetHeaders() {
    return List.copyOf(targetHeaders);
  }

  /** Values of {@code X-Deadline-Policy} received, one per request that had it. */
  public List<String> policyHeaders() {
    return List.copyOf(policyHeaders);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void ready(HttpExchange exchange) throws IOException {
    boolean isReady = readyProbes.incrementAndGet() > behaviour.notReadyProbes();
    respond(
        exchange,
        isReady ? 200 : 503,
        isReady ? "{\"status\":\"ready\"}" : "{\"status\":\"loading\"}");
  }

  // The two sub-networks this fake serves, with qualities 1.0 and 0.5, in the shape of flexserve's
  // /v1/models.
  private void models(HttpExchange exchange) throws IOException {
    respond(
        exchange,
        200,
        "{\"object\":\"list\",\"data\":[{\"id\":\"all-minilm-l6-v2\",\"object\":\"model\","
            + "\"state\":\"READY\",\"subnets\":[{\"name\":\"w384-d6\",\"quality\":1.0},"
            + "{\"name\":\"w192-d3\",\"quality\":0.5}]}]}");
  }

  private void embeddings(HttpExchange exchange) throws IOException {
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int n = received.incrementAndGet();
    bodies.add(body);
    String target = exchange.getRequestHeaders().getFirst("X-Latency-Target-Ms");
    String policy = exchange.getRequestHeaders().getFirst("X-Deadline-Policy");
    if (target != null) {
      targetHeaders.add(target);
    }
    if (policy != null) {
      policyHeaders.add(policy);
    }
    if (behaviour.delayMillis() > 0) {
      try {
        Thread.sleep(behaviour.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.close();
        return;
      }
    }
    if (!"POST".equals(exchange.getRequestMethod()) || !body.contains("\"model\"")) {
      respond(exchange, 400, "{\"error\":{\"message\":\"bad request\"}}");
      return;
    }
    if (behaviour.rejectEvery() > 0 && n % behaviour.rejectEvery() == 0) {
      rejected.incrementAndGet();
      exchange.getResponseHeaders().add("Retry-After", "1");
      respond(exchange, 429, "{\"error\":{\"message\":\"queue full\",\"type\":\"overloaded\"}}");
      return;
    }
    String subnet = n % 2 == 1 ? "w384-d6" : "w192-d3";
    ok.incrementAndGet();
    subnets.merge(subnet, 1, Integer::sum);
    exchange.getResponseHeaders().add("X-Subnet", subnet);
    exchange.getResponseHeaders().add("X-Queue-Ms", "0.250");
    exchange.getResponseHeaders().add("X-Inference-Ms", "1.500");
    exchange.getResponseHeaders().add("X-Predicted-Ms", "2.000");
    if (target != null) {
      boolean met = n % 3 != 0;
      if (!met) {
        deadlineMissed.incrementAndGet();
      }
      exchange.getResponseHeaders().add("X-Deadline-Met", Boolean.toString(met));
    }
    respond(
        exchange,
        200,
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
            + "\"embedding\":[0.1,0.2,0.3]}],\"model\":\"all-minilm-l6-v2\","
            + "\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}");
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
