package io.flexserve.models.vision;

import ai.onnxruntime.OrtException;
import io.flexserve.models.runtime.SessionConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A vision model loaded for serving: an elastic bundle ({@link ElasticVision}, many variants) or a
 * user's own ONNX export ({@link FixedVision}, one). What the server needs of either; {@link #run}
 * is thread-safe.
 */
public sealed interface VisionBackbone extends AutoCloseable permits ElasticVision, FixedVision {
  String name();

  /** Served square resolutions, largest first. */
  List<Integer> resolutions();

  /** Loaded variants ({@code <subnet>@<resolution>}), best first. */
  List<VisionManifest.Variant> variants();

  /** The width/depth shape of a sub-network; empty for a fixed model, whose inside is not known. */
  Optional<VisionManifest.Subnet> subnet(String name);

  /** The input conditioner's mean: the colour that pads an aspect-preserving resize. */
  List<Float> padColor();

  int patch();

  /**
   * Runs same-resolution images on one variant.
   *
   * @param pixels {@code [B, 3, R, R]} planar RGB in [0, 1]
   * @param options run options (e.g. a {@link TimedRun}'s), or null for defaults
   * @return summary {@code [B, S]} and features {@code [B, N, H]} (NLC)
   */
  VisionOutput run(
      String variant, float[] pixels, int images, ai.onnxruntime.OrtSession.RunOptions options)
      throws OrtException;

  /**
   * {@link #run(String, float[], int, ai.onnxruntime.OrtSession.RunOptions)} with default options.
   */
  default VisionOutput run(String variant, float[] pixels, int images) throws OrtException {
    return run(variant, pixels, images, null);
  }

  @Override
  void close() throws OrtException;

  /** Loads whichever kind {@code dir}'s manifest names. */
  static VisionBackbone load(Path dir, SessionConfig config) throws IOException, OrtException {
    if (FixedVisionManifest.FORMAT.equals(io.flexserve.models.BundleFormat.of(dir))) {
      return FixedVision.load(dir, config);
    }
    return ElasticVision.load(dir, config, v -> true);
  }
}
