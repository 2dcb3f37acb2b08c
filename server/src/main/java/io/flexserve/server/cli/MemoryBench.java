package io.flexserve.server.cli;

import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.runtime.ElasticEncoder;
import io.flexserve.models.runtime.SessionConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench memory}: process RSS with every sub-network loaded versus only the full one. Each case runs
 * in a fresh JVM (same heap settings) that loads the bundle, runs one inference per loaded sub-network, and reports
 * its VmRSS from /proc; the parent prints both and the ratio.
 */
@Command(name = "memory", description = "RSS with all sub-networks loaded vs only full (separate JVMs).")
final class MemoryBench implements Callable<Integer> {
  @Mixin
  BundleOptions bundle;

  @Option(names = "--child", hidden = true, description = "internal: load only these sub-networks (comma list or 'all') and print RSS")
  String child;

  @Override
  public Integer call() throws Exception {
    Path dir = bundle.resolve();
    if (child != null) {
      List<String> only = List.of(child.split(","));
      try (ElasticEncoder e = ElasticEncoder.load(dir, SessionConfig.cpu(1), s -> child.equals("all") || only.contains(s))) {
        for (EncoderManifest.Subnet s : e.subnets()) {
          e.embed(s.name(), e.tokenizer().encodeBatch(List.of("measure the resident set after a real run of every loaded sub-network")));
        }
        System.gc();
        System.out.println("RSS_KB " + rssKb() + " subnets " + e.subnets().size());
      }
      return 0;
    }
    long fullOnly = runChild(dir, "full");
    long all = runChild(dir, "all");
    System.out.printf("RSS, full sub-network only : %8.1f MiB%n", fullOnly / 1024.0);
    System.out.printf("RSS, all sub-networks      : %8.1f MiB%n", all / 1024.0);
    System.out.printf("ratio all/full             : %8.3f (target <= 1.3)%n", (double) all / fullOnly);
    return all <= 1.3 * fullOnly ? 0 : 1;
  }

  private static long runChild(Path dir, String subnets) throws Exception {
    String jar = Path.of(MemoryBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Dai.djl.offline=true", "-cp", jar, "io.flexserve.server.FlexServe",
        "bench", "memory", "--bundle", dir.toString(), "--child", subnets));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    long rss = -1;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RSS_KB ")) {
          rss = Long.parseLong(line.split(" ")[1]);
        }
      }
    }
    if (p.waitFor() != 0 || rss < 0) {
      throw new IllegalStateException("memory probe for '" + subnets + "' failed (exit " + p.exitValue() + ")");
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
