package io.flexserve.toolchain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.weights.StagedDirectory;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.router.generation.KvCompatibility;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.generation.ServedDecoder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench switching --repo DIR --model M}: token-level switching between
 * KV-compatible sub-networks (e.g. {@code full} and its {@code --mlp-variants}) through the real
 * HTTP server (in this process, loopback), streaming. The server loads only {@code full}'s
 * KV-compatible family (a scratch repository whose manifest lists just those), so the router cannot
 * pick an incompatible sub-network.
 *
 * <ol>
 *   <li>Measure, with N concurrent streams pinned by {@code X-Subnet}, the inter-token times of
 *       {@code full} and of the fastest compatible variant at that load.
 *   <li>Choose a TPOT target between the two, taken at their 95th percentile (the target is judged
 *       on 95% of tokens; by default half-way; {@code --target-ms} overrides).
 *   <li>Run the same load twice (N streams of different lengths, so the load starts at N and falls
 *       as they finish; stream i starts i × {@code --stagger-ms} after the first): with the target
 *       and switching on, and with the target but pinned to {@code full}.
 *   <li>Print, for both, the share of inter-token times within the target and the share of tokens
 *       per sub-network.
 * </ol>
 *
 * Every token is its own chunk ({@code logprobs: 0}), so client-side gaps between chunks are
 * inter-token times.
 */
@Command(
    name = "switching",
    description =
        "Token-level sub-network switching under a TPOT target versus pinned full, through the HTTP server.")
final class SwitchingBench implements Callable<Integer> {
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
      defaultValue = "4",
      description = "Concurrent streams (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(
      names = "--tokens",
      defaultValue = "48",
      description = "Tokens per stream (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--target-ms",
      description =
          "TPOT target; default: --target-fraction of the way from the variant's to full's step.")
  Double targetMs;

  @Option(
      names = "--target-fraction",
      defaultValue = "0.5",
      description =
          "Where between the fastest variant's (0) and full's (1) step time the target lies (default: ${DEFAULT-VALUE}).")
  double targetFraction;

  @Option(
      names = "--stagger-ms",
      defaultValue = "0",
      description = "Delay between stream starts in the comparison (default: ${DEFAULT-VALUE}).")
  double staggerMs;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime threads (0 = server default).")
  int threads;

  private CompletionStream completions;
  private URI base;

  /** One run's client-side observations. */
  record Run(List<Double> gaps, Map<String, Integer> tokensPerSubnet, int tokens) {
    double withinShare(double target) {
      return gaps.isEmpty()
          ? Double.NaN
          : gaps.stream().filter(g -> g <= target).count() / (double) gaps.size();
    }

    double medianGap() {
      double[] s = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    double percentile(double p) {
      double[] s = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return s.length == 0 ? Double.NaN : s[Math.min(s.length - 1, (int) Math.floor(p * s.length))];
    }

    static Run merge(List<Run> runs) {
      List<Double> gaps = new ArrayList<>();
      Map<String, Integer> per = new TreeMap<>();
      int n = 0;
      for (Run r : runs) {
        gaps.addAll(r.gaps());
        r.tokensPerSubnet().forEach((k, v) -> per.merge(k, v, Integer::sum));
        n += r.tokens();
      }
      return new Run(gaps, per, n);
    }
  }

  @Override
  public Integer call() throws Exception {
    Path scratch = Files.createTempDirectory("flexserve-switching-");
    try {
      List<String> family = familyRepo(repo.resolve(model), scratch.resolve(model));
      System.out.println("KV-compatible family of full in " + model + ": " + family);
      if (family.size() < 2) {
        System.out.println(
            "full has no KV-compatible variant: convert with --mlp-variants (e.g. 0.5,0.25)");
        return 1;
      }
      try (LoopbackServer server =
          LoopbackServer.start(
              Map.of(
                  "flexserve.model-dir",
                  scratch.toString(),
                  "flexserve.intra-op-threads",
                  threads,
                  "flexserve.max-running-generations",
                  Math.max(16, streams)))) {
        ModelCatalog catalog = server.catalog();
        base = server.base();
        completions = new CompletionStream(base);
        ServedDecoder served = ServedDecoder.from(catalog, model);
        DecoderProfile fastest =
            served.menu().stream()
                .filter(p -> !p.name().equals("full"))
                .min((a, b) -> Double.compare(a.decodeMs(), b.decodeMs()))
                .orElseThrow();
        for (DecoderProfile p : served.menu()) {
          System.out.printf(
              "  %-12s load-time profile: %.2f ms/step + %.2f ms per extra row%n",
              p.name(), p.decodeMs(), p.decodeMsPerExtraRow());
        }
        for (int i = 0; i < 2; i++) {
          stream(prompt(i), tokens / 2, Map.of("X-Subnet", "full"), 0); // warm-up
        }
        Run fullLoad = load(Map.of("X-Subnet", "full"), 0, false);
        Run fastLoad = load(Map.of("X-Subnet", fastest.name()), 0, false);
        // the target is judged on 95% of tokens, so the step times it lies between are taken at
        // their 95th percentile
        double gFull = fullLoad.percentile(0.95);
        double gFast = fastLoad.percentile(0.95);
        System.out.printf(
            "at %d concurrent streams (pinned): full median inter-token %.2f ms (p95 %.2f), %s %.2f ms (p95 %.2f)%n",
            streams, fullLoad.medianGap(), gFull, fastest.name(), fastLoad.medianGap(), gFast);
        double target;
        if (targetMs != null) {
          target = targetMs;
          System.out.printf("TPOT target %.2f ms (--target-ms)%n", target);
        } else {
          target = gFast + targetFraction * (gFull - gFast);
          System.out.printf(
              "TPOT target %.2f ms = %s's p95 %.2f + %.2f × (full's p95 %.2f − %.2f): full alone misses it for "
                  + "%.1f%% of its tokens at this load%n",
              target,
              fastest.name(),
              gFast,
              targetFraction,
              gFull,
              gFast,
              100 * (1 - fullLoad.withinShare(target)));
        }
        System.out.printf(
            "load: %d streams, stream i (0-based) generating %d × (i + 1) / %d tokens and starting at i × %.0f ms, "
                + "so the load starts at %d and falls as streams finish%n",
            streams, tokens, streams, staggerMs, streams);
        String t = String.format(java.util.Locale.ROOT, "%.3f", target);
        Run switching = load(Map.of("X-TPOT-Target-Ms", t), staggerMs, true);
        Run pinned = load(Map.of("X-TPOT-Target-Ms", t, "X-Subnet", "full"), staggerMs, true);
        report("switching on", switching, target);
        report("pinned to full", pinned, target);
        double fullShare =
            switching.tokensPerSubnet().getOrDefault("full", 0) / (double) switching.tokens();
        boolean ok = switching.withinShare(target) >= 0.95 && fullShare > 0.0;
        System.out.printf(
            "target: switching keeps ≥ 95%% of tokens within the TPOT target (%.1f%%) and uses full for a "
                + "measurable share (%.1f%%): %s%n",
            100 * switching.withinShare(target), 100 * fullShare, ok ? "met" : "NOT met");
        return ok ? 0 : 1;
      }
    } finally {
      StagedDirectory.deleteRecursively(scratch);
    }
  }

  private static void report(String label, Run r, double target) {
    StringBuilder per = new StringBuilder();
    r.tokensPerSubnet()
        .forEach((k, v) -> per.append(String.format(" %s %.1f%%", k, 100.0 * v / r.tokens())));
    System.out.printf(
        "%-15s tokens within %.2f ms: %.1f%% (median inter-token %.2f ms, p95 %.2f); tokens by sub-network:%s (%d tokens)%n",
        label,
        target,
        100 * r.withinShare(target),
        r.medianGap(),
        r.percentile(0.95),
        per,
        r.tokens());
  }

  /**
   * A scratch bundle at {@code out} serving only {@code full} and the sub-networks sharing its KV
   * layout: the same files (linked) and a manifest listing just those. Returns their names.
   */
  static List<String> familyRepo(Path bundle, Path out) throws Exception {
    DecoderManifest m = DecoderManifest.read(bundle);
    Map<String, List<KvCompatibility.KvLayer>> layouts = new LinkedHashMap<>();
    for (DecoderManifest.Subnet s : m.subnets()) {
      layouts.put(
          s.name(),
          s.layers().stream()
              .map(l -> new KvCompatibility.KvLayer(l.index(), l.kvGroups()))
              .toList());
    }
    List<String> family = new KvCompatibility(layouts).compatibleWith("full");
    Files.createDirectories(out);
    try (var files = Files.list(bundle)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(DecoderManifest.FILE)) {
          Files.createSymbolicLink(out.resolve(f.getFileName()), f.toAbsolutePath());
        }
      }
    }
    new DecoderManifest(
            m.format(),
            m.version(),
            m.name(),
            m.source(),
            m.config(),
            m.weights(),
            m.tokenizer(),
            m.calibration(),
            m.latency(),
            m.subnets().stream().filter(s -> family.contains(s.name())).toList(),
            m.blockImportance())
        .write(out);
    return family;
  }

  /**
   * {@link #streams} concurrent streams, stream i starting {@code i × staggerMs} after the first
   * and generating {@link #tokens} tokens, or with {@code varied} {@code tokens × (i + 1) /
   * streams}.
   */
  private Run load(Map<String, String> headers, double staggerMs, boolean varied) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      List<Future<Run>> runs = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        String p = prompt(100 + i);
        long delay = Math.round(i * staggerMs);
        int n = varied ? Math.max(2, tokens * (i + 1) / streams) : tokens;
        runs.add(pool.submit(() -> stream(p, n, headers, delay)));
      }
      List<Run> out = new ArrayList<>();
      for (Future<Run> f : runs) {
        out.add(f.get());
      }
      return Run.merge(out);
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Streams one greedy completion, one chunk per token; gaps between chunks after the first, and
   * tokens per sub-network.
   */
  private Run stream(String prompt, int maxTokens, Map<String, String> headers, long delayMs)
      throws Exception {
    if (delayMs > 0) {
      Thread.sleep(delayMs);
    }
    String body =
        JSON.createObjectNode()
            .put("model", model)
            .put("prompt", prompt)
            .put("max_tokens", maxTokens)
            .put("temperature", 0)
            .put("logprobs", 0)
            .put("stream", true)
            .toString();
    List<Double> gaps = new ArrayList<>();
    Map<String, Integer> per = new TreeMap<>();
    long[] last = {-1};
    int[] n = {0};
    completions.post(
        body,
        headers,
        (chunk, now) -> {
          JsonNode choice = chunk.path("choices").path(0);
          if (!choice.isObject() || !choice.path("finish_reason").isNull()) {
            return; // the summary chunk
          }
          if (last[0] >= 0) {
            gaps.add((now - last[0]) / 1e6);
          }
          last[0] = now;
          per.merge(chunk.path("flexserve").path("subnet").asText("?"), 1, Integer::sum);
          n[0]++;
        });
    return new Run(gaps, per, n[0]);
  }

  /** A story opening, different per {@code seed}. */
  private static String prompt(int seed) {
    String[] names = {"Lily", "Tom", "Sam", "Mia", "Ben", "Anna", "Max", "Zoe"};
    return "Once upon a time, "
        + names[seed % names.length]; // short: a joining stream's prefill stalls the others
  }
}
