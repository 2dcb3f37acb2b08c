package io.flexserve.loadtest.run;

import io.flexserve.loadtest.http.NettyHttpClient;
import io.flexserve.loadtest.report.GeneratorCost;
import io.flexserve.loadtest.report.NativeStats;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a run through the native sender, a C subprocess ({@code native-sender.c}), and turns its
 * results into the same records the Netty sender makes.
 */
final class NativeSender {
  /*
   * Division of work. Java does everything that costs CPU per request but not at send time before
   * the run: it renders every request's bytes (the same encoder as the Netty client's, so the same
   * headers), writes them with their intended offsets to a schedule file, and starts the sender,
   * which inherits the caller's CPU affinity (taskset). While the sender runs, this thread only
   * waits for it. Afterwards each result goes through a RecordingExchange, the Netty path's own
   * record builder, with times in nanoseconds from the sender's start (the run's start, offset 0),
   * so response headers, deadline verdicts, send lag and latency are read exactly as there.
   *
   * Times. Send = CLOCK_REALTIME just before the first write (or when a new connection was started
   * for the request, as the Netty client counts it); receive = the kernel's receive timestamp of
   * the answer's last bytes, so a late read does not lengthen the latency.
   *
   * Never hang: the sender times every request out itself; here the wait is bounded by the last
   * offset plus the timeout plus a grace, after which the subprocess is killed.
   */
  private static final Duration GRACE = Duration.ofSeconds(10);

  private NativeSender() {}

  /**
   * Sends {@code requests.get(i)} at {@code planned.get(i).offsetNanos()} after the sender starts.
   *
   * @param binary the compiled sender ({@link NativeBinary#path})
   * @param requests one encoded request per planned request, all to the same host and port
   * @param planned the schedule, ascending offsets, non-streaming requests only
   * @param maxConnections the most connections open at once
   * @param timeout the per-request timeout the requests were encoded with
   * @return one record per request in schedule order, and the sender's cost
   * @throws InterruptedException if interrupted; the subprocess is killed
   * @throws IllegalStateException if the sender fails or outlives its bound
   */
  static OpenLoopSender.Sent send(
      Path binary,
      List<NettyHttpClient.Prepared> requests,
      List<PlannedRequest> planned,
      int maxConnections,
      Duration timeout)
      throws InterruptedException {
    if (requests.size() != planned.size()) {
      throw new IllegalArgumentException(
          requests.size() + " requests for " + planned.size() + " planned");
    }
    int n = planned.size();
    if (n == 0) {
      return new OpenLoopSender.Sent(List.of(), GeneratorCost.UNKNOWN);
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("flexserve-native-run");
      Path schedule = dir.resolve("schedule.bin");
      Path results = dir.resolve("results.bin");
      writeSchedule(schedule, requests, planned, maxConnections);

      long parentCpuBefore = OpenLoopSender.processCpuNanos();
      Process process =
          new ProcessBuilder(binary.toString(), schedule.toString(), results.toString())
              .redirectOutput(dir.resolve("stdout.txt").toFile())
              .redirectError(dir.resolve("stderr.txt").toFile())
              .start();
      long bound = planned.get(n - 1).offsetNanos() + timeout.toNanos() + GRACE.toNanos();
      boolean exited;
      try {
        exited = process.waitFor(bound, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        throw e;
      }
      long parentCpuAfter = OpenLoopSender.processCpuNanos();
      if (!exited) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "the native sender did not finish within " + bound / 1_000_000 + " ms; killed");
      }
      String stderr = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8).strip();
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "the native sender failed (exit " + process.exitValue() + "): " + stderr);
      }
      Map<String, Long> summary =
          summary(Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8));
      List<NativeFiles.Result> out = NativeFiles.readResults(results, n);
      List<RequestRecord> records = records(out, planned);
      long answers = out.stream().filter(r -> r.outcome() == NativeFiles.RESPONSE).count();
      double cpu = summary.get("cpu_ns") / 1e9;
      GeneratorCost cost =
          new GeneratorCost(
              n,
              summary.get("connections"),
              summary.get("wall_ns") / 1e9,
              cpu,
              cpu,
              Sender.NATIVE.label(),
              new NativeStats(
                  summary.get("wakes"),
                  summary.get("syscalls"),
                  answers,
                  summary.get("fallbacks"),
                  parentCpuBefore < 0 ? Double.NaN : (parentCpuAfter - parentCpuBefore) / 1e9));
      return new OpenLoopSender.Sent(records, cost);
    } catch (IOException e) {
      throw new IllegalStateException("the native sender's files: " + e, e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void writeSchedule(
      Path file,
      List<NettyHttpClient.Prepared> requests,
      List<PlannedRequest> planned,
      int maxConnections)
      throws IOException {
    NettyHttpClient.Prepared first = requests.get(0);
    for (NettyHttpClient.Prepared r : requests) {
      if (!r.host().equals(first.host()) || r.port() != first.port()) {
        throw new IllegalArgumentException(
            "the native sender sends to one host and port, got "
                + first.host()
                + ":"
                + first.port()
                + " and "
                + r.host()
                + ":"
                + r.port());
      }
    }
    // A literal address or localhost (Endpoint allows loopback unless told otherwise): no real
    // lookup.
    InetAddress address = InetAddress.getByName(first.host());
    long[] offsets = new long[planned.size()];
    int[] flags = new int[planned.size()];
    for (int i = 0; i < offsets.length; i++) {
      PlannedRequest p = planned.get(i);
      if (p.kind().streaming()) {
        throw new IllegalArgumentException(
            "the native sender sends non-streaming requests only; request "
                + i
                + " is "
                + p.kind().label());
      }
      offsets[i] = p.offsetNanos();
      flags[i] = p.kind().generation() ? NativeFiles.KEEP_BODY : 0;
    }
    NativeFiles.writeSchedule(
        file, address, first.port(), maxConnections, requests, offsets, flags);
  }

  // Each result through the Netty path's record builder, with the sender's start as time zero.
  private static List<RequestRecord> records(
      List<NativeFiles.Result> results, List<PlannedRequest> planned) {
    int n = results.size();
    RequestRecord[] records = new RequestRecord[n];
    CountDownLatch completed = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      NativeFiles.Result r = results.get(i);
      RecordingExchange exchange = new RecordingExchange(i, planned.get(i), 0, records, completed);
      if (r.sentNanos() >= 0) {
        exchange.sent(r.sentNanos());
      }
      switch (r.outcome()) {
        case NativeFiles.RESPONSE ->
            exchange.completed(
                r.status(),
                headers(r.head()),
                new String(r.body(), StandardCharsets.UTF_8),
                r.receivedNanos());
        case NativeFiles.TIMEOUT ->
            exchange.failed(new TimeoutException(after(r.error())), r.receivedNanos());
        default -> exchange.failed(transportError(r.error()), r.receivedNanos());
      }
    }
    List<RequestRecord> out = new ArrayList<>(n);
    synchronized (records) {
      for (RequestRecord r : records) {
        out.add(r);
      }
    }
    return out;
  }

  // The sender names failures as the Netty path's exception classes do ("ConnectException: ..."),
  // so the report groups error kinds the same way.
  private static Throwable transportError(String error) {
    return error.startsWith("ConnectException")
        ? new ConnectException(after(error))
        : new IOException(after(error));
  }

  private static String after(String error) {
    int colon = error.indexOf(": ");
    return colon < 0 ? error : error.substring(colon + 2);
  }

  /** The response head's headers, case-insensitive, as java.net.http gives them. */
  static HttpHeaders headers(String head) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String[] lines = head.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        map.computeIfAbsent(lines[i].substring(0, colon).strip(), k -> new ArrayList<>(1))
            .add(lines[i].substring(colon + 1).strip());
      }
    }
    return HttpHeaders.of(map, (k, v) -> true);
  }

  /** The sender's summary line, {@code native-sender key=value ...}, as numbers by key. */
  static Map<String, Long> summary(String stdout) {
    Map<String, Long> out = new HashMap<>();
    for (String line : stdout.split("\n")) {
      if (!line.startsWith("native-sender ")) {
        continue;
      }
      for (String field : line.substring("native-sender ".length()).strip().split(" ")) {
        int eq = field.indexOf('=');
        if (eq > 0) {
          out.put(field.substring(0, eq), Long.parseLong(field.substring(eq + 1)));
        }
      }
    }
    for (String key :
        List.of("cpu_ns", "wall_ns", "wakes", "syscalls", "connections", "fallbacks")) {
      if (!out.containsKey(key)) {
        throw new IllegalStateException(
            "the native sender's summary lacks " + key + ": " + stdout.strip());
      }
    }
    return out;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover temporary file is not worth failing a finished run for
    }
  }
}
