package io.flexserve.toolchain;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.encoder.ServedEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench overhead}: p50 latency of {@code POST /v1/embeddings} (one sentence, full
 * sub-network, over loopback, sequential) versus an in-process ONNX Runtime run of the same graph
 * on the same pre-tokenized input, interleaved in one process so both see the same machine state.
 * The difference is what the server adds: HTTP, JSON, tokenization, routing and scheduling.
 */
@Command(
    name = "overhead",
    description =
        "p50 of POST /v1/embeddings over loopback vs an in-process ORT run of the same graph.")
final class OverheadBench implements Callable<Integer> {
  @Option(
      names = "--requests",
      defaultValue = "500",
      description = "Timed requests (and as many in-process runs).")
  int requests;

  @Option(names = "--cache-dir", description = "Default: ~/.cache/flexserve.")
  Path cacheDir = BenchSupport.defaultCache();

  @Override
  public Integer call() throws Exception {
    String sentence = "A quick brown fox jumps over the lazy dog near the river bank.";
    try (LoopbackServer server =
        LoopbackServer.start(
            Map.of("flexserve.cache-dir", cacheDir.toString(), "flexserve.profile-repeats", 3))) {
      ModelCatalog catalog = server.catalog();
      String model = catalog.names().get(0);
      ElasticEncoder encoder = ServedEncoder.from(catalog, model).encoder();
      TokenBatch batch = encoder.tokenizer().encodeBatch(List.of(sentence));
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest request =
          HttpRequest.newBuilder(server.base().resolve("/v1/embeddings"))
              .header("Content-Type", "application/json")
              .header("X-Subnet", "full")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"" + model + "\",\"input\":\"" + sentence + "\"}"))
              .build();
      Histogram http = new Histogram(60_000_000_000L, 3);
      Histogram direct = new Histogram(60_000_000_000L, 3);
      Histogram serverInference = new Histogram(60_000_000_000L, 3);
      Histogram serverQueue = new Histogram(60_000_000_000L, 3);
      for (int i = 0; i < requests / 5 + 20; i++) { // warm-up: JIT, connection, ORT arenas
        client.send(request, HttpResponse.BodyHandlers.ofString());
        encoder.embed("full", batch);
      }
      for (int i = 0; i < requests; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        encoder.embed("full", batch);
        long t2 = System.nanoTime();
        if (r.statusCode() != 200
            || !"full".equals(r.headers().firstValue("X-Subnet").orElse(""))) {
          throw new IllegalStateException(
              "unexpected response " + r.statusCode() + ": " + r.body());
        }
        http.recordValue(t1 - t0);
        serverInference.recordValue(nanos(r.headers().firstValue("X-Inference-Ms").orElseThrow()));
        serverQueue.recordValue(nanos(r.headers().firstValue("X-Queue-Ms").orElseThrow()));
        direct.recordValue(t2 - t1);
      }
      System.out.printf(
          "%d sequential requests, one %d-token sentence, full sub-network%n",
          requests, batch.sequence());
      System.out.printf("%-32s %9s %9s %9s%n", "", "p50_ms", "p90_ms", "p99_ms");
      row("POST /v1/embeddings (loopback)", http);
      row("  of which X-Queue-Ms", serverQueue);
      row("  of which X-Inference-Ms", serverInference);
      row("in-process ORT run, same graph", direct);
      System.out.printf(
          "ratio p50 HTTP / in-process: %.3f  (server adds %.3f ms at p50)%n",
          (double) http.getValueAtPercentile(50) / direct.getValueAtPercentile(50),
          (http.getValueAtPercentile(50) - direct.getValueAtPercentile(50)) / 1e6);
    }
    return 0;
  }

  private static long nanos(String millisHeader) {
    return Math.round(Double.parseDouble(millisHeader) * 1e6);
  }

  private static void row(String name, Histogram h) {
    System.out.printf(
        "%-32s %9.3f %9.3f %9.3f%n",
        name,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(90) / 1e6,
        h.getValueAtPercentile(99) / 1e6);
  }
}
