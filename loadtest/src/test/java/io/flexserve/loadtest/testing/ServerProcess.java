package io.flexserve.loadtest.testing;

import io.flexserve.loadtest.endpoint.Endpoint;
import io.flexserve.loadtest.endpoint.Readiness;
import io.flexserve.loadtest.run.LoadTestRun;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real flexserve server ({@code server/target/flexserve.jar}) as a child process on a free
 * loopback port, for integration tests. Its output goes to a log file. {@link #close} destroys it
 * (politely, then forcibly); a JVM shutdown hook does the same if the test JVM exits first, so no
 * server outlives the build.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Thread shutdownHook;
  private final Path log;
  private final int port;
  private final HttpClient client = LoadTestRun.newClient(Duration.ofSeconds(2));

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.shutdownHook = new Thread(process::destroyForcibly, "flexserve-it-server-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code java -jar jar --port <free port>} with the given environment added to this JVM's.
   *
   * @param jar the server jar
   * @param env extra environment variables
   * @param log where the server's stdout and stderr go
   * @throws IOException if the process cannot start
   */
  public static ServerProcess start(Path jar, Map<String, String> env, Path log)
      throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx1g",
                    "-jar",
                    jar.toString(),
                    "--port",
                    Integer.toString(port)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new ServerProcess(builder.start(), log, port);
  }

  /** Base URL, such as {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Waits until {@code /v2/health/ready} answers 200.
   *
   * @throws IllegalStateException with the end of the server log if the process exits or the wait
   *     times out
   */
  public void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Endpoint endpoint = Endpoint.parse(url(), false);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "server exited with " + process.exitValue() + ":\n" + logTail());
      }
      if (Readiness.await(client, endpoint, Duration.ZERO, Duration.ofMillis(1))) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the server", e);
      }
    }
    throw new IllegalStateException(
        "server not ready within " + timeout.toSeconds() + " s:\n" + logTail());
  }

  /** The current {@code GET /metrics}. */
  public PrometheusText metrics() throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(url() + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics answered " + response.statusCode());
    }
    return PrometheusText.parse(response.body());
  }

  /** The server's resident set size from {@code /proc/<pid>/status}, MiB (Linux). */
  public double rssMib() throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IOException("no VmRSS for process " + process.pid());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends SIGTERM (what Kubernetes and {@code docker stop} send), as {@link Process#destroy} does
   * on Linux.
   */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to exit and returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "server still running " + timeout.toSeconds() + " s after SIGTERM");
    }
    return process.exitValue();
  }

  /** The last 40 lines of the server's log, for failure messages. */
  public String logTail() throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting; the hook will run and is harmless
      }
    }
  }
}
