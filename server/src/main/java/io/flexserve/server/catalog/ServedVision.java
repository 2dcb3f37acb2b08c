package io.flexserve.server.catalog;

import io.flexserve.models.runtime.VisionBackbone;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.server.scheduling.BatchScheduler;
import io.flexserve.server.vision.ImageFeatures;
import io.flexserve.server.vision.PreparedImage;
import java.time.Duration;
import java.util.List;

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
  @Override
  public List<String> subnetNames() {
    return menu.bestFirst().stream().map(SubnetProfile::name).toList();
  }

  /** Served resolutions, largest first. */
  public List<Integer> resolutions() {
    return vision.resolutions();
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
