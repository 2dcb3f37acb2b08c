package io.flexserve.toolchain;

import io.flexserve.convert.vision.ElasticVisionConverter;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.vision.VisionCheckpoint;
import io.flexserve.models.vision.VisionManifest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve convert-vision --checkpoint DIR --resolutions 224,160,112 --out BUNDLE}: a RADIO
 * or timm ViT checkpoint into an elastic vision bundle, one graph per (sub-network, resolution).
 */
@Command(
    name = "convert-vision",
    description =
        "Convert a RADIO / timm ViT safetensors checkpoint into an elastic vision bundle.")
public final class ConvertVisionCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description = "A .safetensors file or a directory with one (and optional config.json).")
  Path checkpoint;

  @Option(
      names = "--out",
      required = true,
      description = "Bundle directory to write (replaced if it exists).")
  Path out;

  @Option(
      names = "--name",
      description = "Model name as served (default: the --out directory name).")
  String name;

  @Option(
      names = "--resolutions",
      split = ",",
      defaultValue = "224,160,112",
      description =
          "Served square resolutions, multiples of the patch size (default: ${DEFAULT-VALUE}).")
  List<Integer> resolutions;

  @Option(
      names = "--calibration",
      description = "Directory of JPEG/PNG calibration images (default: 32 synthetic images).")
  Path calibration;

  @Option(
      names = "--heads",
      description = "Attention heads (default: config.json num_heads, else hidden/64).")
  Integer heads;

  @Option(
      names = "--cls-tokens",
      description = "How many prefix tokens are CLS tokens (default: config.json num_cls_tokens).")
  Integer clsTokens;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime threads (0 = all cores).")
  int threads;

  @Override
  public Integer call() throws Exception {
    String served = name != null ? name : out.toAbsolutePath().getFileName().toString();
    List<BufferedImage> images =
        calibration == null
            ? ElasticVisionConverter.syntheticCalibration(
                32, resolutions.stream().max(Integer::compare).orElseThrow())
            : read(calibration);
    VisionManifest m;
    try (ProgressBars bars = new ProgressBars()) {
      m =
          ElasticVisionConverter.convert(
              new ElasticVisionConverter.Job(
                  served,
                  checkpoint,
                  new VisionCheckpoint.Options(heads, clsTokens),
                  resolutions,
                  images,
                  out),
              SessionConfig.cpu(threads),
              bars);
    }
    System.out.printf(
        "%nwrote %s: %s, resolutions %s, %d variants%n",
        out.toAbsolutePath(), served, m.resolutions(), m.variants().size());
    System.out.printf(
        "%-26s %6s %6s %6s %10s %8s%n",
        "variant", "layers", "heads", "mlp", "rel. FLOPs", "quality");
    for (VisionManifest.Variant v : m.variants()) {
      VisionManifest.Subnet s = m.subnet(v.subnet());
      System.out.printf(
          "%-26s %6d %6d %6d %10.3f %8.4f%n",
          v.name(), s.layers().size(), s.heads(), s.mlpWidth(), v.relativeCost(), v.quality());
    }
    return 0;
  }

  private static List<BufferedImage> read(Path dir) throws Exception {
    List<BufferedImage> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        BufferedImage img = ImageIO.read(f.toFile());
        if (img != null) {
          out.add(img);
        }
      }
    }
    if (out.size() < 2) {
      throw new IllegalArgumentException(
          dir + ": needs at least 2 readable JPEG/PNG images, found " + out.size());
    }
    return out;
  }
}
