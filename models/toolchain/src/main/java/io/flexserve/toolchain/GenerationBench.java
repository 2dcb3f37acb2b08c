package io.flexserve.toolchain;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench generation --repo DIR --model M}: text generation through the real HTTP
 * server (in this process, loopback), streaming, on the full sub-network.
 *
 * <ol>
 *   <li>Continuous batching: aggregate generated tokens/s of 1 stream, then of N concurrent streams
 *       (target: N=8 reaches ≥ 3× one stream).
 *   <li>Prefix cache: time to first token of prompts made of a {@code --prefix-tokens}-token
 *       preamble plus a short question, each preamble new (uncached), versus the same preamble
 *       again with another question (cached); medians, target cached ≤ 0.5× uncached.
 * </ol>
 */
@Command(
    name = "generation",
    description = "Continuous-batching throughput and prefix-cache TTFT through the HTTP server.")
final class GenerationBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--repo",
      required = true,
      description = "Model repository holding the decoder bundle.")
  Path repo;

  @Option(
      names = "--model",
      required = true,
      description = "Decoder model name (its directory in --repo).")
  String model;

  @Option(
      names = "--streams",
      defaultValue = "8",
      description = "Concurrent streams (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(
      names = "--tokens",
      defaultValue = "64",
      description = "Tokens per stream (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--prefix-tokens",
      defaultValue = "200",
      description = "Shared preamble length (default: ${DEFAULT-VALUE}).")
  int prefixTokens;

  @Option(
      names = "--repeats",
      defaultValue = "7",
      description = "Prompts per TTFT case (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime threads (0 = server default).")
  int threads;

  private CompletionStream completions;
  private URI base;

  @Override
  public Integer call() throws Exception {
    try (LoopbackServer server =
        LoopbackServer.start(
            Map.of(
                "flexserve.model-dir",
                repo.toAbsolutePath().toString(),
                "flexserve.intra-op-threads",
                threads,
                "flexserve.max-running-generations",
                Math.max(16, streams)))) {
      base = server.base();
      completions = new CompletionStream(base);
      for (int i = 0; i < 2; i++) {
        stream(prompt(i, 32, ""), tokens); // warm-up
      }
      double one = throughput(1);
      double many = throughput(streams);
      System.out.printf(
          "continuous batching: 1 stream %.1f tokens/s, %d streams %.1f tokens/s in all: %.2f× (target ≥ 3×)%n",
          one, streams, many, many / one);
      double[] uncached = new double[repeats];
      double[] cached = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        uncached[i] = stream(prompt(1000 + i, prefixTokens, " Then Lily asked a question."), 1)[0];
        cached[i] = stream(prompt(1000 + i, prefixTokens, " Then Tom said something else."), 1)[0];
      }
      double u = BenchSupport.median(uncached);
      double c = BenchSupport.median(cached);
      System.out.printf(
          "prefix cache: TTFT with a new %d-token preamble %.2f ms, with a cached one %.2f ms: %.2f× (target ≤ 0.5×)%n",
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
    String body =
        JSON.createObjectNode()
            .put("model", model)
            .put("prompt", prompt)
            .put("max_tokens", maxTokens)
            .put("temperature", 0)
            .put("stream", true)
            .set("stream_options", JSON.createObjectNode().put("include_usage", true))
            .toString();
    long[] firstChunk = {-1};
    int[] generated = {0};
    long sent =
        completions.post(
            body,
            Map.of(),
            (chunk, nanos) -> {
              if (firstChunk[0] < 0) {
                firstChunk[0] = nanos;
              }
              if (chunk.path("usage").isObject()) {
                generated[0] = chunk.get("usage").get("completion_tokens").asInt();
              }
            });
    return new double[] {(firstChunk[0] - sent) / 1e6, generated[0]};
  }

  /**
   * A prompt of about {@code words} words (~tokens), different per {@code seed}, then {@code tail}.
   */
  private static String prompt(int seed, int words, String tail) {
    String[] vocabulary = {
      "the", "little", "girl", "saw", "a", "big", "red", "ball", "in", "park", "and", "she", "was",
      "happy", "dog", "ran", "to", "tree", "sun", "sky", "mom", "said", "play", "with", "friend",
      "cat", "bird"
    };
    StringBuilder b = new StringBuilder("Once upon a time");
    long x = seed * 2654435761L + 1;
    for (int i = 0; i < words - 4; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      b.append(' ').append(vocabulary[(int) Math.floorMod(x >>> 33, vocabulary.length)]);
    }
    return b.append('.').append(tail).toString();
  }
}
