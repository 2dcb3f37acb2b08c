package io.flexserve.server.vision;

import ai.onnxruntime.OrtException;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.vision.VisionBackbone;
import io.flexserve.models.vision.VisionManifest;
import io.flexserve.models.vision.VisionOutput;
import io.flexserve.router.LatencyCurve;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicies;
import io.flexserve.server.catalog.ModelLoader;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.scheduling.BatchScheduler;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a vision model (elastic bundle or fixed ONNX export): every (sub-network, resolution)
 * variant's session, its latency measured on this machine at batches of 1, 2 and 4 images (p75 of
 * {@code profileRepeats} runs after a warm-up, round-robin so drift hits all alike), and the
 * scheduler whose runner stacks same-variant images into one ONNX Runtime batch.
 */
@Singleton
public final class VisionLoader implements ModelLoader {
  static final int[] BATCHES = {1, 2, 4};
  private static final double QUANTILE = 0.75;

  private final FlexserveConfig config;
  private final ServerMetrics metrics;

  public VisionLoader(FlexserveConfig config, ServerMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public boolean reads(String format) {
    return VisionManifest.isVisionFormat(format);
  }

  @Override
  public ServedVision load(String name, Path bundle, SessionConfig sessions)
      throws IOException, OrtException {
    VisionBackbone vision = VisionBackbone.load(bundle, sessions);
    try {
      ModelMenu menu = profile(vision, config.profileRepeats());
      for (SubnetProfile p : menu.bestFirst()) {
        metrics.predictedLatency.labels(name, p.name()).set(p.predictMillis(1) / 1000);
      }
      Map<String, VisionManifest.Variant> variants = new LinkedHashMap<>();
      for (VisionManifest.Variant v : vision.variants()) {
        variants.put(v.name(), v);
      }
      BatchScheduler<PreparedImage, ImageFeatures> scheduler =
          new BatchScheduler<>(
              name,
              (subnet, images, options) ->
                  run(vision, variants.get(subnet.name()), images, options),
              menu,
              BatchPolicies.byName(config.routingPolicy()),
              new BatchLimits(config.batchMaxInputs(), config.batchMaxTokens()),
              config.workers(),
              config.inferenceNice(),
              config.queueCapacity(),
              config.responseMarginMs(),
              config.overloadHoldMs(),
              metrics);
      return new ServedVision(name, vision, menu, scheduler);
    } catch (OrtException | RuntimeException e) {
      vision.close();
      throw e;
    }
  }

  /**
   * One merged run: the images' pixels at the variant's resolution, stacked into {@code [B, 3, R,
   * R]}.
   */
  private static List<ImageFeatures> run(
      VisionBackbone vision,
      VisionManifest.Variant v,
      List<PreparedImage> images,
      ai.onnxruntime.OrtSession.RunOptions options)
      throws OrtException {
    int r = v.resolution();
    int size = 3 * r * r;
    float[] stacked = new float[images.size() * size];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i).pixels().get(r), 0, stacked, i * size, size);
    }
    VisionOutput out = vision.run(v.name(), stacked, images.size(), options);
    int grid = r / vision.patch();
    List<ImageFeatures> result = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      result.add(new ImageFeatures(out.summary(i), out.features(i), grid));
    }
    return result;
  }

  static ModelMenu profile(VisionBackbone vision, int repeats) throws OrtException {
    List<VisionManifest.Variant> variants = vision.variants();
    Map<Integer, float[]> inputs = new LinkedHashMap<>();
    for (int r : vision.resolutions()) {
      float[] pixels = new float[BATCHES[BATCHES.length - 1] * 3 * r * r];
      java.util.Arrays.fill(pixels, 0.5f);
      inputs.put(r, pixels);
    }
    for (int w = 0; w < 2; w++) {
      for (VisionManifest.Variant v : variants) {
        for (int b : BATCHES) {
          runOnce(vision, v, inputs, b);
        }
      }
    }
    double[][][] millis = new double[variants.size()][BATCHES.length][repeats];
    for (int rep = 0; rep < repeats; rep++) {
      for (int i = 0; i < variants.size(); i++) {
        for (int j = 0; j < BATCHES.length; j++) {
          long start = System.nanoTime();
          runOnce(vision, variants.get(i), inputs, BATCHES[j]);
          millis[i][j][rep] = (System.nanoTime() - start) / 1e6;
        }
      }
    }
    List<SubnetProfile> profiles = new ArrayList<>();
    for (int i = 0; i < variants.size(); i++) {
      Map<Integer, double[]> samples = new LinkedHashMap<>();
      for (int j = 0; j < BATCHES.length; j++) {
        samples.put(BATCHES[j], millis[i][j]);
      }
      VisionManifest.Variant v = variants.get(i);
      profiles.add(
          new SubnetProfile(
              v.name(),
              v.relativeCost(),
              v.quality(),
              LatencyCurve.fromSamples(samples, QUANTILE)));
    }
    return ModelMenu.of(profiles);
  }

  private static void runOnce(
      VisionBackbone vision, VisionManifest.Variant v, Map<Integer, float[]> inputs, int batch)
      throws OrtException {
    int r = v.resolution();
    vision.run(v.name(), java.util.Arrays.copyOf(inputs.get(r), batch * 3 * r * r), batch);
  }
}
