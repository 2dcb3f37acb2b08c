package io.flexserve.server.vision;

import io.flexserve.models.vision.VisionBackbone;
import io.flexserve.models.vision.VisionManifest;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.catalog.SubnetDescription;
import io.flexserve.server.catalog.WarmupCall;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.scheduling.BatchScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A vision backbone: the loaded elastic bundle or fixed ONNX export, its menu of (sub-network,
 * resolution) variants with latency measured here (named {@code <subnet>@<resolution>}; each curve
 * counts images, since a variant's resolution is fixed), and its scheduler, whose batches hold
 * requests of one variant and therefore one input shape.
 */
public record ServedVision(
    String name,
    VisionBackbone vision,
    ModelMenu menu,
    BatchScheduler<PreparedImage, ImageFeatures> scheduler)
    implements ServedModel {
  /** The ready vision model {@code name}; 400 when it is of another kind. */
  public static ServedVision from(ModelCatalog catalog, String name) {
    return catalog.require(
        name, ServedVision.class, "is a text model; use /v1/embeddings or /v1/completions");
  }

  @Override
  public List<String> subnetNames() {
    return menu.bestFirst().stream().map(SubnetProfile::name).toList();
  }

  /**
   * One entry per (sub-network, resolution) variant, named {@code <subnet>@<resolution>}; latency
   * points by images.
   */
  @Override
  public List<SubnetDescription> describe() {
    List<SubnetDescription> out = new ArrayList<>();
    for (SubnetProfile p : menu.bestFirst()) {
      VisionManifest.Variant v =
          vision.variants().stream()
              .filter(x -> x.name().equals(p.name()))
              .findFirst()
              .orElseThrow();
      VisionManifest.Subnet s = vision.subnet(v.subnet()).orElse(null); // null: a fixed export
      out.add(
          s == null
              ? SubnetDescription.measured(p, null, null, null)
              : SubnetDescription.measured(p, s.layers(), s.heads(), s.mlpWidth()));
    }
    return out;
  }

  /** Served resolutions, largest first. */
  public List<Integer> resolutions() {
    return vision.resolutions();
  }

  /**
   * A 64 × 64 PNG, different each time (the result cache would answer a repeated one without a
   * run), with and without a latency target.
   */
  @Override
  public List<WarmupCall> warmupCalls() {
    String path =
        "/v1/vision/features?model="
            + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    return List.of(
        new WarmupCall(path, "image/png", Map.of(), ServedVision::warmupImage, false),
        new WarmupCall(
            path,
            "image/png",
            Map.of(RoutingHeaders.LATENCY_TARGET, "10"),
            ServedVision::warmupImage,
            false));
  }

  /** A 64 × 64 PNG whose colours depend on {@code seed}. */
  static byte[] warmupImage(int seed) {
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(seed);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(image, "png", png);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e); // in memory: does not happen
    }
    return png.toByteArray();
  }

  @Override
  public boolean drain(Duration grace) throws InterruptedException {
    return scheduler.drain(grace);
  }

  @Override
  public void abandon() {
    scheduler.abandon();
  }

  @Override
  public void close() throws Exception {
    scheduler.close();
    vision.close();
  }
}
