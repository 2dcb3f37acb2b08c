package io.flexserve.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench generation --repo DIR --model M}: text generation through the real HTTP server (in this
 * process, loopback), streaming, on the full sub-network.
 * <ol>
 *   <li>Continuous batching: aggregate generated tokens/s of 1 stream, then of N concurrent streams (target: N=8
 *       reaches ≥ 3× one stream).</li>
 *   <li>Prefix cache: time to first token of prompts made of a {@code --prefix-tokens}-token preamble plus a short
 *       question, each preamble new (uncached), versus the same preamble again with another question (cached);
 *       medians, target cached ≤ 0.5× uncached.</li>
 * </ol>
 */
@Command(name = "generation", description = "Continuous-batching throughput and prefix-cache TTFT through the HTTP server.")
final class GenerationBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--repo", required = true, description = "Model repository holding the decoder bundle.")
  Path repo;

  @Option(names = "--model", required = true, description = "Decoder model name (its directory in --repo).")
  String model;

  @Option(names = "--streams", defaultValue = "8", description = "Concurrent streams (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--tokens", defaultValue = "64", description = "Tokens per stream (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--prefix-tokens", defaultValue = "200", description = "Shared preamble length (default: ${DEFAULT-VALUE}).")
  int prefixTokens;

  @Option(names = "--repeats", defaultValue = "7", description = "Prompts per TTFT case (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads (0 = server default).")
  int threads;

  private HttpClient client;
  private URI base;

  @Override
  public Integer call() throws Exception {
    try (ApplicationContext ctx = ApplicationContext.run(Map.of("micronaut.server.port", -1,
        "flexserve.model-dir", repo.toAbsolutePath().toString(), "flexserve.intra-op-threads", threads,
        "flexserve.max-running-generations", Math.max(16, streams)))) {
      EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
      ModelCatalog catalog = ctx.getBean(ModelCatalog.class);
      while (!catalog.serverReady()) {
        Thread.sleep(100);
      }
      base = server.getURI();
      client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 2; i++) {
        stream(prompt(i, 32, ""), tokens); // warm-up
      }
      double one = throughput(1);
      double many = throughput(streams);
      System.out.printf("continuous batching: 1 stream %.1f tokens/s, %d streams %.1f tokens/s in all: %.2f× (target ≥ 3×)%n",
          one, streams, many, many / one);
      double[] uncached = new double[repeats];
      double[] cached = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        uncached[i] = stream(prompt(1000 + i, prefixTokens, " Then Lily asked a question."), 1)[0];
        cached[i] = stream(prompt(1000 + i, prefixTokens, " Then Tom said something else."), 1)[0];
      }
      double u = median(uncached);
      double c = median(cached);
      System.out.printf("prefix cache: TTFT with a new %d-token preamble %.2f ms, with a cached one %.2f ms: %.2f× (target ≤ 0.5×)%n",
          prefixTokens, u, c, c / u);
      return many / one >= 3 && c / u <= 0.5 ? 0 : 1;
    }
  }

  /** Aggregate tokens/s of {@code n} concurrent streams, each generating {@link #tokens} tokens. */
  private double throughput(int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      long t0 = System.nanoTime();
      List<Future<double[]>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String p = prompt(i, 32, "");
        runs.add(pool.submit(() -> stream(p, tokens)));
      }
      long generated = 0;
      for (Future<double[]> f : runs) {
        generated += (long) f.get()[1];
      }
      return generated / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdown();
    }
  }

  /** Streams one greedy completion; returns {time to first chunk ms, completion tokens}. */
  private double[] stream(String prompt, int maxTokens) throws Exception {
    String body = JSON.createObjectNode().put("model", model).put("prompt", prompt).put("max_tokens", maxTokens)
        .put("temperature", 0).put("stream", true).set("stream_options", JSON.createObjectNode().put("include_usage", true)).toString();
    long t0 = System.nanoTime();
    HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("status " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    double ttft = -1;
    int generated = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.startsWith("data:")) {
          continue;
        }
        if (ttft < 0) {
          ttft = (System.nanoTime() - t0) / 1e6;
        }
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
          break;
        }
        JsonNode chunk = JSON.readTree(data);
        if (chunk.has("usage") && chunk.get("usage").isObject()) {
          generated = chunk.get("usage").get("completion_tokens").asInt();
        }
      }
    }
    return new double[] {ttft, generated};
  }

  /** A prompt of about {@code words} words (~tokens), different per {@code seed}, then {@code tail}. */
  private static String prompt(int seed, int words, String tail) {
    String[] vocabulary = {"the", "little", "girl", "saw", "a", "big", "red", "ball", "in", "park", "and", "she", "was",
        "happy", "dog", "ran", "to", "tree", "sun", "sky", "mom", "said", "play", "with", "friend", "cat", "bird"};
    StringBuilder b = new StringBuilder("Once upon a time");
    long x = seed * 2654435761L + 1;
    for (int i = 0; i < words - 4; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      b.append(' ').append(vocabulary[(int) Math.floorMod(x >>> 33, vocabulary.length)]);
    }
    return b.append('.').append(tail).toString();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
