package io.flexserve.convert.vision;

import ai.onnxruntime.OrtException;
import io.flexserve.models.Progress;
import io.flexserve.models.importance.Importance;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.vision.Pixels;
import io.flexserve.models.vision.VisionCheckpoint;
import io.flexserve.models.vision.VisionConfig;
import io.flexserve.models.vision.VisionGraph;
import io.flexserve.models.vision.VisionManifest;
import io.flexserve.models.vision.VisionSession;
import io.flexserve.models.vision.VisionSubnet;
import io.flexserve.models.vision.VisionWeightFile;
import io.flexserve.models.vision.VisionWeights;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.StagedDirectory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns a ViT / RADIO checkpoint into an elastic vision bundle ({@link VisionManifest}).
 *
 * <pre>
 *   1. import      the checkpoint (RADIO or timm names) and check every tensor
 *   2. rank        a probe graph of the full model at the largest resolution over calibration images
 *                  → head, neuron and block importance (Minitron)
 *   3. permute     heads and neurons into importance order (same function, nested prefixes)
 *   4. write       weights.bin once (position embedding resampled per resolution) + one graph per (sub-network, resolution)
 *   5. measure     each variant's summary fidelity to full at the largest resolution on held-out images
 * </pre>
 *
 * The bundle is assembled in a staging directory and renamed into place at the end.
 */
public final class ElasticVisionConverter {
  private ElasticVisionConverter() {}

  /**
   * A conversion job.
   *
   * @param resolutions served square resolutions, each a multiple of the patch
   * @param calibration images for ranking; the last quarter (at least one) is held back for
   *     measuring fidelity
   */
  public record Job(
      String name,
      Path checkpoint,
      VisionCheckpoint.Options options,
      List<Integer> resolutions,
      List<BufferedImage> calibration,
      Path out) {
    public Job {
      resolutions = resolutions.stream().distinct().sorted(Comparator.reverseOrder()).toList();
      calibration = List.copyOf(calibration);
      if (resolutions.isEmpty() || calibration.size() < 2) {
        throw new IllegalArgumentException("need ≥ 1 resolution and ≥ 2 calibration images");
      }
    }
  }

  /**
   * {@code count} synthetic calibration images ({@link Pixels#synthetic}), for checkpoints without
   * images of their own.
   */
  public static List<BufferedImage> syntheticCalibration(int count, int size) {
    List<BufferedImage> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Pixels.synthetic(size, 1000 + i));
    }
    return out;
  }

  public static VisionManifest convert(Job job, SessionConfig sessions, Progress progress)
      throws IOException, OrtException {
    Path staging = StagedDirectory.create(job.out());
    try {
      // 1. import
      progress.update("import", 0, 1);
      VisionWeights dense = VisionCheckpoint.read(job.checkpoint(), job.options());
      VisionConfig config = dense.config();
      for (int r : job.resolutions()) {
        config.grid(r);
      }
      progress.update("import", 1, 1);
      int held = Math.max(1, job.calibration().size() / 4);
      List<BufferedImage> rankImages =
          job.calibration().subList(0, job.calibration().size() - held);
      List<BufferedImage> validation =
          job.calibration().subList(job.calibration().size() - held, job.calibration().size());
      int top = job.resolutions().get(0);

      // 2. rank
      Importance importance = rank(dense, top, rankImages, staging, sessions, progress);
      double[] blocks = importance.blockScores();
      int[][] headOrder = new int[config.layers()][];
      int[][] neuronOrder = new int[config.layers()][];
      for (int l = 0; l < config.layers(); l++) {
        headOrder[l] = Importance.descendingOrder(importance.headScores(l));
        neuronOrder[l] = Importance.descendingOrder(importance.neuronScores(l));
      }

      // 3. permute, 4. write
      VisionWeights nested = VisionPermutation.apply(dense, headOrder, neuronOrder);
      WeightLayout layout =
          VisionWeightFile.write(nested, job.resolutions(), staging.resolve("weights.bin"));
      List<VisionSubnet> subnets = VisionSubnet.defaults(config, blocks);
      List<VisionManifest.Variant> variants = new ArrayList<>();
      for (VisionSubnet s : subnets) {
        for (int r : job.resolutions()) {
          String name = VisionManifest.Variant.name(s.name(), r);
          Files.write(
              staging.resolve(name + ".onnx"),
              VisionGraph.build(config, s, r, layout, false).toByteArray());
          variants.add(
              new VisionManifest.Variant(
                  name, s.name(), r, name + ".onnx", relativeCost(config, s, r, top), 0));
        }
      }

      // 5. measure
      variants =
          measure(staging, config, variants, validation, job.resolutions(), sessions, progress);
      List<VisionManifest.Subnet> entries =
          subnets.stream()
              .map(
                  s ->
                      new VisionManifest.Subnet(
                          s.name(), s.layers(), s.heads(), s.mlpWidth(), s.relativeSize(config)))
              .toList();
      VisionManifest manifest =
          new VisionManifest(
              VisionManifest.FORMAT,
              VisionManifest.VERSION,
              job.name(),
              job.checkpoint().toString(),
              config,
              "weights.bin",
              job.resolutions(),
              entries,
              variants,
              Arrays.stream(blocks).boxed().toList());
      manifest.write(staging);
      StagedDirectory.publish(staging, job.out());
      return manifest;
    } finally {
      StagedDirectory.deleteRecursively(staging);
    }
  }

  private static Importance rank(
      VisionWeights dense,
      int resolution,
      List<BufferedImage> images,
      Path staging,
      SessionConfig sessions,
      Progress progress)
      throws IOException, OrtException {
    VisionConfig c = dense.config();
    WeightLayout layout =
        VisionWeightFile.write(dense, List.of(resolution), staging.resolve("dense-weights.bin"));
    Path probe = staging.resolve("probe.onnx");
    Files.write(
        probe, VisionGraph.build(c, VisionSubnet.full(c), resolution, layout, true).toByteArray());
    Importance importance = new Importance(c.layers(), c.heads(), c.headDim(), c.mlp());
    MappedWeights weights = MappedWeights.map(staging.resolve("dense-weights.bin"));
    int tokens = c.tokens(resolution);
    try (VisionSession session = VisionSession.open(probe, weights, sessions, resolution)) {
      for (int i = 0; i < images.size(); i++) {
        Map<String, float[]> out =
            session.runAll(
                Pixels.of(images.get(i), resolution, Pixels.Resize.STRETCH, c.mean()), 1);
        for (int l = 0; l < c.layers(); l++) {
          String p = "probe.l" + l + ".";
          importance.add(
              l,
              tokens,
              out.get(p + "mlp"),
              out.get(p + "heads"),
              out.get(p + "in"),
              out.get(p + "out"));
        }
        importance.inputDone();
        progress.update("rank", i + 1, images.size());
      }
    }
    Files.delete(probe);
    Files.delete(staging.resolve("dense-weights.bin"));
    return importance;
  }

  /** Fills in each variant's quality and returns the variants best first (quality, then cost). */
  private static List<VisionManifest.Variant> measure(
      Path bundle,
      VisionConfig c,
      List<VisionManifest.Variant> variants,
      List<BufferedImage> images,
      List<Integer> resolutions,
      SessionConfig sessions,
      Progress progress)
      throws IOException, OrtException {
    MappedWeights weights = MappedWeights.map(bundle.resolve("weights.bin"));
    Map<Integer, float[]> pixels = new java.util.HashMap<>();
    for (int r : resolutions) {
      float[] all = new float[images.size() * 3 * r * r];
      for (int i = 0; i < images.size(); i++) {
        System.arraycopy(
            Pixels.of(images.get(i), r, Pixels.Resize.STRETCH, c.mean()),
            0,
            all,
            i * 3 * r * r,
            3 * r * r);
      }
      pixels.put(r, all);
    }
    float[][] summaries = new float[variants.size()][];
    for (int i = 0; i < variants.size(); i++) {
      VisionManifest.Variant v = variants.get(i);
      try (VisionSession s =
          VisionSession.open(bundle.resolve(v.graph()), weights, sessions, v.resolution())) {
        summaries[i] = s.run(pixels.get(v.resolution()), images.size()).summary();
      }
      progress.update("measure", i + 1, variants.size());
    }
    int width = c.clsTokens() * c.hidden();
    List<VisionManifest.Variant> out = new ArrayList<>();
    for (int i = 0; i < variants.size(); i++) {
      double sum = 0;
      for (int img = 0; img < images.size(); img++) {
        sum += Math.max(0, Importance.cosine(summaries[i], summaries[0], img * width, width));
      }
      VisionManifest.Variant v = variants.get(i);
      double quality = Math.min(1, sum / images.size());
      out.add(
          new VisionManifest.Variant(
              v.name(), v.subnet(), v.resolution(), v.graph(), v.relativeCost(), quality));
    }
    out.sort(
        Comparator.comparingDouble(VisionManifest.Variant::quality)
            .reversed()
            .thenComparing(
                Comparator.comparingDouble(VisionManifest.Variant::relativeCost).reversed()));
    return out;
  }

  /**
   * Block FLOPs (projections, MLP, attention scores and mixing) relative to full at {@code top}.
   */
  static double relativeCost(VisionConfig c, VisionSubnet s, int resolution, int top) {
    return blockFlops(c, s, c.tokens(resolution))
        / blockFlops(c, VisionSubnet.full(c), c.tokens(top));
  }

  private static double blockFlops(VisionConfig c, VisionSubnet s, int tokens) {
    double a = (double) s.heads() * c.headDim();
    double perLayer =
        tokens * (4 * a * c.hidden() + 2.0 * s.mlpWidth() * c.hidden()) + 2.0 * tokens * tokens * a;
    return s.layers().size() * perLayer;
  }
}
