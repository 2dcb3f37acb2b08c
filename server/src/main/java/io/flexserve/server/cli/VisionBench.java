package io.flexserve.server.cli;

import io.flexserve.models.runtime.ElasticVision;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.vision.VisionManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench vision --bundle B}: per (sub-network, resolution) variant of a vision bundle, the median
 * latency of one image and of a batch of 4, and memory: the growth of this process's RSS when the variant's session
 * is opened and has run (its graph, kernels' scratch and ONNX Runtime's activation arena; the weights are mapped
 * and paged in once before the first variant, so they are not counted again), plus the weight bytes the variant
 * reads (its prefixes of the shared tensors).
 */
@Command(name = "vision", description = "Latency and memory per (sub-network, resolution) of a vision bundle.")
public final class VisionBench implements Callable<Integer> {
  @Option(names = "--bundle", required = true, description = "Vision bundle directory (convert-vision --out).")
  Path bundle;

  @Option(names = "--repeats", defaultValue = "10", description = "Timed runs per point (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads (0 = all cores).")
  int threads;

  @Override
  public Integer call() throws Exception {
    VisionManifest m = VisionManifest.read(bundle);
    byte[] all = Files.readAllBytes(bundle.resolve(m.weights())); // page the weight file in once
    System.out.printf("%s: hidden %d, %d blocks, %d heads, MLP %d, patch %d, %d CLS + %d registers; weights %.1f MB; %d threads%n",
        m.name(), m.config().hidden(), m.config().layers(), m.config().heads(), m.config().mlp(), m.config().patch(),
        m.config().clsTokens(), m.config().registers(), all.length / 1e6, threads);
    System.out.printf("| variant | resolution | tokens | rel. FLOPs | quality | p50 ms (1 image) | p50 ms (4 images) | images/s (4) | weights read MB | RSS growth MB |%n");
    System.out.printf("|---|---|---|---|---|---|---|---|---|---|%n");
    SessionConfig sessions = SessionConfig.cpu(threads);
    for (VisionManifest.Variant v : m.variants().stream()
        .sorted((a, b) -> a.resolution() != b.resolution() ? b.resolution() - a.resolution() : Double.compare(b.relativeCost(), a.relativeCost()))
        .toList()) {
      long before = MemoryBench.rssKb();
      try (ElasticVision vision = ElasticVision.load(bundle, sessions, name -> name.equals(v.name()))) {
        int r = v.resolution();
        float[] four = new float[4 * 3 * r * r];
        Arrays.fill(four, 0.5f);
        float[] one = Arrays.copyOf(four, 3 * r * r);
        vision.run(v.name(), one, 1);
        vision.run(v.name(), four, 4);
        double p1 = time(() -> vision.run(v.name(), one, 1));
        double p4 = time(() -> vision.run(v.name(), four, 4));
        long after = MemoryBench.rssKb();
        VisionManifest.Subnet s = m.subnet(v.subnet());
        System.out.printf("| `%s` | %d | %d | %.3f | %.4f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", v.name(), r,
            m.config().tokens(r), v.relativeCost(), v.quality(), p1, p4, 4000 / p4, weightBytes(m, s) / 1e6,
            (after - before) / 1024.0);
      }
    }
    return 0;
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

  /** Bytes of the block weights a sub-network reads, plus the shared embedding and norm tensors. */
  private static long weightBytes(VisionManifest m, VisionManifest.Subnet s) {
    long h = m.config().hidden();
    long a = (long) s.heads() * m.config().headDim();
    long perLayer = 3 * (a * h + a) + a * h + h + 2L * s.mlpWidth() * h + s.mlpWidth() + h + 4 * h;
    long shared = h * m.config().patchFloats() + h + (long) m.config().prefixTokens() * h + 2 * h;
    return 4 * (shared + perLayer * s.layers().size());
  }
}
