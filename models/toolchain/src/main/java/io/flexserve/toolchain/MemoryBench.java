package io.flexserve.toolchain;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderTimer;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.runtime.SessionConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench memory}: process RSS with every sub-network loaded versus only the full
 * one. Each case runs in a fresh JVM (same heap settings) that loads the bundle, runs one inference
 * per loaded sub-network, and reports its VmRSS from /proc; the parent prints both and the ratio.
 */
@Command(
    name = "memory",
    description = "RSS with all sub-networks loaded vs only full (separate JVMs).")
final class MemoryBench implements Callable<Integer> {
  @Mixin BundleOptions bundle;

  @Option(
      names = "--child",
      hidden = true,
      description = "internal: load only these sub-networks (comma list or 'all') and print RSS")
  String child;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Runs of each case; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Override
  public Integer call() throws Exception {
    Path dir = bundle.resolve();
    if (child != null) {
      List<String> only = List.of(child.split(","));
      Predicate<String> load = s -> child.equals("all") || only.contains(s);
      if (isDecoderBundle(dir)) {
        runDecoder(dir, load);
      } else {
        runEncoder(dir, load);
      }
      return 0;
    }
    // Alternating runs, median of each: a child's RSS varies by how much of the mapped weight file
    // and the jar the
    // kernel happens to count as resident, so one sample each could flatter either side.
    long[] fullRuns = new long[repeats];
    long[] allRuns = new long[repeats];
    for (int i = 0; i < repeats; i++) {
      fullRuns[i] = runChild(dir, "full");
      allRuns[i] = runChild(dir, "all");
    }
    long fullOnly = median(fullRuns);
    long all = median(allRuns);
    System.out.printf(
        "RSS, full sub-network only : %8.1f MiB (median of %s KiB)%n",
        fullOnly / 1024.0, Arrays.toString(fullRuns));
    System.out.printf(
        "RSS, all sub-networks      : %8.1f MiB (median of %s KiB)%n",
        all / 1024.0, Arrays.toString(allRuns));
    // Decoder bundles (issue 10) must stay within 1.2×; encoder bundles within 1.3× (issue 2).
    double target = isDecoderBundle(dir) ? 1.2 : 1.3;
    System.out.printf(
        "ratio all/full             : %8.3f (target <= %.1f)%n", (double) all / fullOnly, target);
    return all <= target * fullOnly ? 0 : 1;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static boolean isDecoderBundle(Path dir) throws Exception {
    Path manifest = dir.resolve(DecoderManifest.FILE);
    return Files.exists(manifest)
        && Files.readString(manifest).contains("\"" + DecoderManifest.FORMAT + "\"");
  }

  /** Loads the chosen sub-networks, runs each, and prints RSS while they are loaded. */
  private static void runEncoder(Path dir, Predicate<String> load) throws Exception {
    try (ElasticEncoder e = ElasticEncoder.load(dir, SessionConfig.cpu(1), load)) {
      Runnable runAll =
          () -> {
            for (EncoderManifest.Subnet s : e.subnets()) {
              try {
                e.embed(
                    s.name(),
                    e.tokenizer()
                        .encodeBatch(
                            List.of(
                                "measure the resident set after a real run of every loaded sub-network")));
              } catch (Exception ex) {
                throw new IllegalStateException(ex);
              }
            }
          };
      report(runAll, e.subnets().size());
    }
  }

  /** Decoder bundles: a 64-token prefill and 16 decode steps on each loaded sub-network. */
  private static void runDecoder(Path dir, Predicate<String> load) throws Exception {
    try (ElasticDecoder d = ElasticDecoder.load(dir, SessionConfig.cpu(1), load)) {
      Runnable runAll =
          () -> {
            for (DecoderManifest.Subnet s : d.subnets()) {
              try {
                DecoderTimer.decodeMillis(d.session(s.name()), 64, 16);
              } catch (Exception ex) {
                throw new IllegalStateException(ex);
              }
            }
          };
      report(runAll, d.subnets().size());
    }
  }

  /**
   * Runs everything, collects garbage, runs everything again and reads RSS at once: this VM's
   * proactive reclaim (DAMON) pages out mapped weights that sat unused for a while, which would
   * make RSS depend on timing.
   */
  private static void report(Runnable runAll, int subnets) throws Exception {
    runAll.run();
    System.gc();
    runAll.run();
    System.out.println("RSS_KB " + rssKb() + " subnets " + subnets);
  }

  private static long runChild(Path dir, String subnets) throws Exception {
    return childRssKb("bench", "memory", "--bundle", dir.toString(), "--child", subnets);
  }

  /**
   * Runs {@code flexserve <cliArgs>} in a fresh JVM (512 MB heap, telemetry off) and returns the
   * RSS it reports on its {@code RSS_KB <n>} line: the child side of every memory benchmark.
   */
  static long childRssKb(String... cliArgs) throws Exception {
    String jar =
        Path.of(MemoryBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-cp",
                jar,
                Toolchain.class.getName()));
    cmd.addAll(List.of(cliArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    long rss = -1;
    StringBuilder log = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        log.append(line).append('\n');
        if (line.startsWith("RSS_KB ")) {
          rss = Long.parseLong(line.split(" ")[1]);
        }
      }
    }
    if (p.waitFor() != 0 || rss < 0) {
      throw new IllegalStateException(
          "memory probe "
              + String.join(" ", cliArgs)
              + " failed (exit "
              + p.exitValue()
              + "):\n"
              + log);
    }
    return rss;
  }

  static long rssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
