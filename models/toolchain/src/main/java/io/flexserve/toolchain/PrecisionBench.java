package io.flexserve.toolchain;

import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderTimer;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench precision --bundle INT4 --bundle INT8}: what quantized serving buys on one
 * sub-network. For every entry of that sub-network (float32, int8, int4, int4 with EoRA), measured
 * side by side in one process, rounds interleaved: decode tokens/s at batch 1 and batch 8 behind a
 * fixed context, prefill tokens/s, at each thread count; then, each in a fresh JVM, RSS with every
 * menu entry of one precision loaded, and with one entry alone. Prints the ratios the issue sets
 * targets for.
 */
@Command(
    name = "precision",
    description =
        "Decode/prefill speed and RSS of the fp32, int8 and int4 entries of a sub-network.")
final class PrecisionBench implements Callable<Integer> {
  @Option(
      names = "--bundle",
      required = true,
      description = "Decoder bundle(s) converted from one checkpoint with --quantize (repeatable).")
  List<Path> bundles;

  @Option(
      names = "--subnet",
      defaultValue = "full",
      description = "Sub-network whose entries are timed (default: ${DEFAULT-VALUE}).")
  String subnet;

  @Option(
      names = "--threads",
      split = ",",
      defaultValue = "1,2",
      description = "ONNX Runtime thread counts (default: ${DEFAULT-VALUE}).")
  List<Integer> threads;

  @Option(
      names = "--context",
      defaultValue = "64",
      description = "Cached tokens behind each decode step (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(
      names = "--steps",
      defaultValue = "32",
      description = "Decode steps per timing (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--batch",
      defaultValue = "8",
      description = "Rows of the batched decode (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--prefill",
      defaultValue = "512",
      description = "Prompt tokens of the timed prefill (default: ${DEFAULT-VALUE}).")
  int prefill;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Interleaved rounds; medians are reported (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--skip-memory", description = "Time only; skip the RSS measurements.")
  boolean skipMemory;

  @Option(
      names = "--reference",
      description =
          "Lines 'llama2.c threads=N tok/s=X' (../shared/bench/llama2c/speed.sh) measured "
              + "beside this run: fp32 decode is reported against them.")
  Path reference;

  @Option(
      names = "--spinning",
      description = "Let idle ONNX Runtime threads busy-wait (FLEXSERVE_ORT_SPINNING).")
  boolean spinning;

  @Option(
      names = "--child",
      hidden = true,
      description =
          "internal: load every entry of this precision (or precision:subnet) and print RSS")
  String child;

  /** One timed entry: which bundle holds it. */
  private record Entry(String name, String precision, int rank, Path bundle) {}

  /**
   * Medians of one entry at one thread count: ms per decode step at batch 1 and batch B, ms per
   * prefill.
   */
  private record Timing(double decodeMs, double batchMs, double prefillMs) {}

  @Override
  public Integer call() throws Exception {
    if (child != null) {
      return childRss();
    }
    List<Entry> entries = entries();
    System.out.printf(
        "entries of %s: %s; context %d, batch %d, prefill %d; %d rounds interleaved; %d cores%n",
        subnet,
        entries.stream().map(Entry::name).toList(),
        context,
        batch,
        prefill,
        rounds,
        Runtime.getRuntime().availableProcessors());
    Map<Integer, Map<String, Timing>> byThreads = new LinkedHashMap<>();
    for (int t : threads) {
      byThreads.put(t, time(entries, t));
    }
    print(entries, byThreads);
    if (!skipMemory) {
      memory();
    }
    return 0;
  }

  /**
   * The entries of {@link #subnet} across the bundles, each name once (the float32 ones repeat in
   * every bundle).
   */
  private List<Entry> entries() throws Exception {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Path b : bundles) {
      DecoderManifest m = DecoderManifest.read(b);
      DecoderManifest.Subnet base =
          m.subnets().stream()
              .filter(s -> s.name().equals(subnet))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "bundle " + b + " has no sub-network '" + subnet + "'"));
      for (DecoderManifest.Subnet s : m.subnets()) {
        if (s.layers().equals(base.layers())) {
          out.putIfAbsent(s.name(), new Entry(s.name(), s.precision(), s.eoraRank(), b));
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  private Map<String, Timing> time(List<Entry> entries, int t) throws Exception {
    Map<Path, ElasticDecoder> open = new LinkedHashMap<>();
    Map<String, double[][]> samples = new HashMap<>();
    try {
      for (Entry e : entries) {
        ElasticDecoder d = open.get(e.bundle());
        if (d == null) {
          List<String> names =
              entries.stream().filter(x -> x.bundle().equals(e.bundle())).map(Entry::name).toList();
          d =
              ElasticDecoder.load(
                  e.bundle(), new SessionConfig(t, "cpu", spinning), names::contains);
          open.put(e.bundle(), d);
        }
        samples.put(e.name(), new double[3][rounds]);
      }
      for (Entry e : entries) { // warm-up: first runs pay for allocation and page faults
        DecoderTimer.decodeMillis(session(open, e), context, 4);
      }
      for (int r = 0; r < rounds; r++) {
        for (Entry e : entries) {
          DecoderSession s = session(open, e);
          samples.get(e.name())[0][r] = DecoderTimer.decodeMillis(s, context, steps);
          samples.get(e.name())[1][r] =
              DecoderTimer.batchDecodeMillis(s, batch, context, Math.max(3, steps / 4));
          samples.get(e.name())[2][r] = DecoderTimer.prefillMillis(s, prefill, 1);
        }
        System.out.printf("threads %d: round %d/%d done%n", t, r + 1, rounds);
      }
    } finally {
      for (ElasticDecoder d : open.values()) {
        d.close();
      }
    }
    Map<String, Timing> out = new LinkedHashMap<>();
    for (Entry e : entries) {
      double[][] s = samples.get(e.name());
      out.put(
          e.name(),
          new Timing(
              BenchSupport.median(s[0]), BenchSupport.median(s[1]), BenchSupport.median(s[2])));
    }
    return out;
  }

  private static DecoderSession session(Map<Path, ElasticDecoder> open, Entry e) {
    return open.get(e.bundle()).session(e.name());
  }

  private void print(List<Entry> entries, Map<Integer, Map<String, Timing>> byThreads) {
    for (Map.Entry<Integer, Map<String, Timing>> tt : byThreads.entrySet()) {
      Map<String, Timing> m = tt.getValue();
      Timing fp32 = m.get(subnet);
      System.out.printf("%n== %d thread(s)%n", tt.getKey());
      System.out.printf(
          "%-16s %-6s %4s | %10s %8s | %12s %8s | %12s %8s%n",
          "entry",
          "prec",
          "rank",
          "decode t/s",
          "× fp32",
          "batch" + batch + " t/s",
          "× fp32",
          "prefill t/s",
          "× fp32");
      for (Entry e : entries) {
        Timing x = m.get(e.name());
        System.out.printf(
            "%-16s %-6s %4d | %10.1f %8.2f | %12.1f %8.2f | %12.1f %8.2f%n",
            e.name(),
            e.precision(),
            e.rank(),
            1000 / x.decodeMs(),
            fp32.decodeMs() / x.decodeMs(),
            batch * 1000 / x.batchMs(),
            fp32.batchMs() / x.batchMs(),
            prefill * 1000 / x.prefillMs(),
            fp32.prefillMs() / x.prefillMs());
      }
      Double ref = referenceTokensPerSecond(tt.getKey());
      if (ref != null) {
        double r = 1000 / fp32.decodeMs() / ref;
        System.out.printf(
            "fp32 decode vs llama2.c run.c (%.1f tok/s): %.2f× (target >= 1.0×): %s%n",
            ref, r, r >= 1.0 ? "met" : "MISSED");
      }
      ratio(m, fp32, subnet + ".int4", "int4 decode vs fp32", 2.5, false);
      ratio(m, fp32, subnet + ".int8", "int8 decode vs fp32", 1.6, false);
      ratio(m, fp32, subnet + ".int4", "int4 batch-" + batch + " decode vs fp32", 1.8, true);
      for (Entry e : entries) {
        if (e.rank() > 0 && m.containsKey(subnet + "." + e.precision())) {
          double plain = m.get(subnet + "." + e.precision()).decodeMs();
          double cost = m.get(e.name()).decodeMs() / plain - 1;
          System.out.printf(
              "EoRA r%d cost on %s decode: %+.1f %% of its time (target <= 10 %%): %s%n",
              e.rank(), e.precision(), 100 * cost, cost <= 0.10 ? "met" : "MISSED");
        }
      }
    }
  }

  /** llama2.c's decode tokens/s at {@code threads} from {@link #reference}, or null. */
  private Double referenceTokensPerSecond(int threads) {
    if (reference == null) {
      return null;
    }
    try {
      for (String line : java.nio.file.Files.readAllLines(reference)) {
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("threads=(\\d+) tok/s=([0-9.]+)").matcher(line);
        if (m.find() && Integer.parseInt(m.group(1)) == threads) {
          return Double.parseDouble(m.group(2));
        }
      }
      return null;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void ratio(
      Map<String, Timing> m,
      Timing fp32,
      String name,
      String label,
      double target,
      boolean batched) {
    Timing x = m.get(name);
    if (x == null) {
      return;
    }
    double r = batched ? fp32.batchMs() / x.batchMs() : fp32.decodeMs() / x.decodeMs();
    System.out.printf(
        "%s: %.2f× (target >= %.1f×): %s%n", label, r, target, r >= target ? "met" : "MISSED");
  }

  /**
   * Per bundle, RSS of its float32 family and of its quantized family (every sub-network at every
   * rank), and of {@link #subnet} alone in each precision; each in a fresh JVM, median of 3 runs,
   * runs interleaved.
   */
  private void memory() throws Exception {
    System.out.printf(
        "%n== RSS, entries of one precision loaded and run (fresh JVM each, median of 3)%n");
    for (Path b : bundles) {
      DecoderManifest m = DecoderManifest.read(b);
      String quantized =
          m.subnets().stream()
              .map(DecoderManifest.Subnet::precision)
              .filter(p -> !p.equals("fp32"))
              .findFirst()
              .orElse(null);
      if (quantized == null) {
        continue;
      }
      List<String> cases = List.of("fp32", quantized, "fp32:" + subnet, quantized + ":" + subnet);
      Map<String, long[]> runs = new LinkedHashMap<>();
      for (int i = 0; i < 3; i++) {
        for (String c : cases) {
          runs.computeIfAbsent(c, k -> new long[3])[i] = runChild(b, c);
        }
      }
      System.out.printf("%s:%n", b.getFileName());
      Map<String, Double> medians = new LinkedHashMap<>();
      for (String c : cases) {
        medians.put(c, BenchSupport.median(Arrays.stream(runs.get(c)).asDoubleStream().toArray()));
        System.out.printf(
            "  %-12s %8.1f MiB (runs %s KiB)%n",
            c.contains(":") ? c.replace(":", " ") : c + " family",
            medians.get(c) / 1024,
            Arrays.toString(runs.get(c)));
      }
      double target = quantized.equals("int4") ? 0.40 : 0.60;
      double family = medians.get(quantized) / medians.get("fp32");
      System.out.printf(
          "  RSS %s family / fp32 family: %.2f (target <= %.2f): %s%n",
          quantized, family, target, family <= target ? "met" : "MISSED");
      System.out.printf(
          "  RSS %s %s / fp32 %s: %.2f%n",
          quantized,
          subnet,
          subnet,
          medians.get(quantized + ":" + subnet) / medians.get("fp32:" + subnet));
    }
  }

  private long runChild(Path bundle, String precision) throws Exception {
    return MemoryBench.childRssKb(
        "bench",
        "precision",
        "--bundle",
        bundle.toString(),
        "--context",
        Integer.toString(context),
        "--child",
        precision);
  }

  /**
   * In a fresh JVM: load every entry of precision {@link #child} (or, for {@code precision:subnet},
   * that sub-network's entry in that precision without compensation), run each twice, print RSS
   * (see MemoryBench).
   */
  private int childRss() throws Exception {
    Path dir = bundles.get(0);
    DecoderManifest m = DecoderManifest.read(dir);
    String[] c = child.split(":");
    List<String> names =
        m.subnets().stream()
            .filter(s -> s.precision().equals(c[0]))
            .filter(
                s ->
                    c.length == 1
                        || (s.eoraRank() == 0
                            && s.name().equals(DecoderManifest.Subnet.variantName(c[1], c[0], 0))))
            .map(DecoderManifest.Subnet::name)
            .toList();
    try (ElasticDecoder d = ElasticDecoder.load(dir, SessionConfig.cpu(1), names::contains)) {
      for (int pass = 0; pass < 2; pass++) {
        for (DecoderManifest.Subnet s : d.subnets()) {
          DecoderTimer.decodeMillis(d.session(s.name()), context, 8);
        }
        System.gc();
      }
      System.out.println("RSS_KB " + MemoryBench.rssKb() + " entries " + names.size());
    }
    return 0;
  }
}
