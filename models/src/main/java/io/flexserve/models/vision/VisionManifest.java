package io.flexserve.models.vision;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flexserve.models.BundleFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json} of an elastic vision bundle (format {@value #FORMAT}, version {@value
 * #VERSION}):
 *
 * <pre>
 * manifest.json            this record
 * weights.bin              every tensor once (64-byte aligned float32), plus the position embedding per resolution
 * &lt;subnet&gt;@&lt;res&gt;.onnx      one graph per (sub-network, resolution): pixels [B,3,R,R] → summary [B,C·H], features [B,N,H]
 * </pre>
 *
 * @param name model name as served (URL-safe)
 * @param source where the weights came from (checkpoint path and naming)
 * @param resolutions served square resolutions, largest first; each a multiple of the patch
 * @param subnets nested width/depth sub-networks, largest first
 * @param variants the menu: one entry per (sub-network, resolution), best first
 * @param blockImportance per block, 1 − cos(h_in, h_out) on the calibration images
 */
public record VisionManifest(
    String format,
    int version,
    String name,
    String source,
    VisionConfig config,
    String weights,
    List<Integer> resolutions,
    List<Subnet> subnets,
    List<Variant> variants,
    List<Double> blockImportance) {
  public static final String FORMAT = "flexserve-elastic-vision";
  public static final int VERSION = 1;
  public static final String FILE = BundleFormat.FILE;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public VisionManifest {
    BundleFormat.require(FORMAT, VERSION, format, version);
    resolutions = List.copyOf(resolutions);
    subnets = List.copyOf(subnets);
    variants = List.copyOf(variants);
    blockImportance = List.copyOf(blockImportance);
    if (variants.isEmpty()) {
      throw new IllegalArgumentException("manifest lists no variants");
    }
    for (int r : resolutions) {
      config.grid(r);
    }
  }

  /**
   * A width/depth sub-network.
   *
   * @param relativeSize block parameters relative to full, (0, 1]
   */
  public record Subnet(
      String name, List<Integer> layers, int heads, int mlpWidth, double relativeSize) {
    public VisionSubnet spec() {
      return new VisionSubnet(name, layers, heads, mlpWidth);
    }
  }

  /**
   * One menu entry.
   *
   * @param name {@code <subnet>@<resolution>}, what {@code X-Subnet} names
   * @param graph ONNX file in the bundle
   * @param relativeCost block FLOPs relative to full at the largest resolution (attention
   *     included), (0, 1]
   * @param quality mean cosine similarity of its summary to {@code full} at the largest resolution
   *     on held-out calibration images, [0, 1] (negative cosines count as 0)
   */
  public record Variant(
      String name,
      String subnet,
      int resolution,
      String graph,
      double relativeCost,
      double quality) {
    public static String name(String subnet, int resolution) {
      return subnet + "@" + resolution;
    }
  }

  public Subnet subnet(String name) {
    return subnets.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("manifest has no sub-network '" + name + "'"));
  }

  /**
   * Whether {@code dir} holds a vision model: an elastic bundle (this format) or a user's ONNX
   * export described by a {@link FixedVisionManifest}.
   */
  public static boolean isVisionBundle(Path dir) {
    return isVisionFormat(BundleFormat.of(dir));
  }

  /**
   * Whether a manifest's {@code format} names a vision model (elastic bundle or fixed ONNX export).
   */
  public static boolean isVisionFormat(String format) {
    return FORMAT.equals(format) || FixedVisionManifest.FORMAT.equals(format);
  }

  public static VisionManifest read(Path bundleDir) throws IOException {
    return JSON.readValue(bundleDir.resolve(FILE).toFile(), VisionManifest.class);
  }

  public void write(Path bundleDir) throws IOException {
    Files.writeString(bundleDir.resolve(FILE), JSON.writeValueAsString(this));
  }
}
