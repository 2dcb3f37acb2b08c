package io.flexserve.toolchain;

import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.vision.ElasticVision;
import io.flexserve.models.vision.VisionManifest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench vision --bundle B}: per (sub-network, resolution) variant of a vision
 * bundle, the median latency of one image and of a batch of 4, and memory. Each variant runs in its
 * own JVM that loads only that variant, so its RSS (after the timed runs) and peak RSS are what
 * serving that variant alone costs: the JVM, the weight pages it touches (a prefix of each shared
 * tensor) and ONNX Runtime's activation arena. The weight bytes a variant reads are computed from
 * its shape.
 */
@Command(
    name = "vision",
    description = "Latency and memory per (sub-network, resolution) of a vision bundle.")
public final class VisionBench implements Callable<Integer> {
  @Option(
      names = "--bundle",
      required = true,
      description = "Vision bundle directory (convert-vision --out).")
  Path bundle;

  @Option(
      names = "--repeats",
      defaultValue = "10",
      description = "Timed runs per point (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime threads (0 = all cores).")
  int threads;

  @Option(
      names = "--child",
      hidden = true,
      description = "internal: measure only this variant and print one RESULT line")
  String child;

  @Override
  public Integer call() throws Exception {
    VisionManifest m = VisionManifest.read(bundle);
    if (child != null) {
      measure(
          m, m.variants().stream().filter(v -> v.name().equals(child)).findFirst().orElseThrow());
      return 0;
    }
    System.out.printf(
        "%s: hidden %d, %d blocks, %d heads, MLP %d, patch %d, %d CLS + %d registers; weights.bin %.1f MB; "
            + "%d cores, %s ONNX Runtime threads, median of %d runs%n",
        m.name(),
        m.config().hidden(),
        m.config().layers(),
        m.config().heads(),
        m.config().mlp(),
        m.config().patch(),
        m.config().clsTokens(),
        m.config().registers(),
        Files.size(bundle.resolve(m.weights())) / 1e6,
        Runtime.getRuntime().availableProcessors(),
        threads == 0 ? "all" : Integer.toString(threads),
        repeats);
    System.out.println(
        "| variant | resolution | tokens | rel. FLOPs | quality | ms (1 image) | ms (batch 4) | images/s (batch 4) | weights read MB | RSS MB | peak RSS MB |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    List<VisionManifest.Variant> order = new ArrayList<>(m.variants());
    order.sort(
        (a, b) ->
            a.resolution() != b.resolution()
                ? b.resolution() - a.resolution()
                : Double.compare(b.relativeCost(), a.relativeCost()));
    for (VisionManifest.Variant v : order) {
      double[] r = runChild(v.name());
      VisionManifest.Subnet s = m.subnet(v.subnet());
      System.out.printf(
          "| `%s` | %d | %d | %.3f | %.4f | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f |%n",
          v.name(),
          v.resolution(),
          m.config().tokens(v.resolution()),
          v.relativeCost(),
          v.quality(),
          r[0],
          r[1],
          4000 / r[1],
          weightBytes(m, s) / 1e6,
          r[2] / 1024,
          r[3] / 1024);
    }
    return 0;
  }

  private void measure(VisionManifest m, VisionManifest.Variant v) throws Exception {
    try (ElasticVision vision =
        ElasticVision.load(bundle, SessionConfig.cpu(threads), name -> name.equals(v.name()))) {
      int r = v.resolution();
      float[] four = new float[4 * 3 * r * r];
      Arrays.fill(four, 0.5f);
      float[] one = Arrays.copyOf(four, 3 * r * r);
      vision.run(v.name(), one, 1);
      vision.run(v.name(), four, 4);
      double p1 = time(() -> vision.run(v.name(), one, 1));
      double p4 = time(() -> vision.run(v.name(), four, 4));
      System.out.println(
          "RESULT " + p1 + " " + p4 + " " + MemoryBench.rssKb() + " " + status("VmHWM:"));
    }
  }

  private double[] runChild(String variant) throws Exception {
    String jar =
        Path.of(VisionBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            jar,
            Toolchain.class.getName(),
            "bench",
            "vision",
            "--bundle",
            bundle.toString(),
            "--repeats",
            Integer.toString(repeats),
            "--threads",
            Integer.toString(threads),
            "--child",
            variant);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    double[] result = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result =
              Arrays.stream(line.substring(7).split(" "))
                  .mapToDouble(Double::parseDouble)
                  .toArray();
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      throw new IllegalStateException(
          "vision probe for '" + variant + "' failed (exit " + p.exitValue() + ")");
    }
    return result;
  }

  private interface Run {
    void run() throws Exception;
  }

  private double time(Run run) throws Exception {
    double[] ms = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long start = System.nanoTime();
      run.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    return BenchSupport.median(ms);
  }

  private static long status(String field) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }

  /**
   * Bytes of the block weights a sub-network reads, plus the shared embedding, token and norm
   * tensors.
   */
  private static long weightBytes(VisionManifest m, VisionManifest.Subnet s) {
    long h = m.config().hidden();
    long a = (long) s.heads() * m.config().headDim();
    long perLayer = 3 * (a * h + a) + a * h + h + 2L * s.mlpWidth() * h + s.mlpWidth() + h + 4 * h;
    long shared = h * m.config().patchFloats() + h + (long) m.config().prefixTokens() * h + 2 * h;
    return 4 * (shared + perLayer * s.layers().size());
  }
}
