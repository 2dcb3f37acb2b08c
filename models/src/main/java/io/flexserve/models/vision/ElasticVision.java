package io.flexserve.models.vision;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An elastic vision bundle loaded for serving: the weight file mapped once, one session per loaded
 * (sub-network, resolution) variant computing from that mapping. Immutable after {@link #load};
 * {@link #run} is thread-safe.
 */
public final class ElasticVision implements VisionBackbone {
  private final VisionManifest manifest;
  private final MappedWeights weights; // must outlive every session: they compute from its memory
  private final Map<String, VisionSession> sessions;

  private ElasticVision(
      VisionManifest manifest, MappedWeights weights, Map<String, VisionSession> sessions) {
    this.manifest = manifest;
    this.weights = weights;
    this.sessions = sessions;
  }

  /**
   * Loads the bundle in {@code dir}, opening sessions for the variants {@code load} accepts (by
   * variant name).
   */
  public static ElasticVision load(Path dir, SessionConfig config, Predicate<String> load)
      throws IOException, OrtException {
    VisionManifest manifest = VisionManifest.read(dir);
    MappedWeights weights =
        MappedWeights.map(BundleFormat.file(dir, manifest.weights(), "weights"));
    Map<String, VisionSession> sessions = new LinkedHashMap<>();
    try {
      for (VisionManifest.Variant v : manifest.variants()) {
        if (load.test(v.name())) {
          sessions.put(
              v.name(),
              VisionSession.open(
                  BundleFormat.file(dir, v.graph(), "graph of " + v.name()),
                  weights,
                  config,
                  v.resolution()));
        }
      }
      if (sessions.isEmpty()) {
        throw new IllegalArgumentException(
            "no variant of " + manifest.name() + " selected to load");
      }
      return new ElasticVision(manifest, weights, Map.copyOf(sessions));
    } catch (IOException | OrtException | RuntimeException e) {
      for (VisionSession s : sessions.values()) {
        s.close();
      }
      throw e;
    }
  }

  public VisionManifest manifest() {
    return manifest;
  }

  @Override
  public String name() {
    return manifest.name();
  }

  @Override
  public List<Integer> resolutions() {
    return manifest.resolutions();
  }

  @Override
  public java.util.Optional<VisionManifest.Subnet> subnet(String name) {
    return manifest.subnets().stream().filter(s -> s.name().equals(name)).findFirst();
  }

  @Override
  public List<Float> padColor() {
    return manifest.config().mean();
  }

  @Override
  public int patch() {
    return manifest.config().patch();
  }

  /** Loaded variants, best first. */
  @Override
  public List<VisionManifest.Variant> variants() {
    return manifest.variants().stream().filter(v -> sessions.containsKey(v.name())).toList();
  }

  /**
   * Runs a batch of same-resolution images on one variant.
   *
   * @param pixels {@code [B, 3, R, R]} in [0, 1] at the variant's resolution
   * @throws IllegalArgumentException when {@code variant} is not loaded
   */
  @Override
  public VisionOutput run(String variant, float[] pixels, int images, OrtSession.RunOptions options)
      throws OrtException {
    VisionSession session = sessions.get(variant);
    if (session == null) {
      throw new IllegalArgumentException(
          "variant '" + variant + "' is not loaded; loaded: " + sessions.keySet());
    }
    return session.run(pixels, images, options);
  }

  public long weightBytes() {
    return weights.sizeBytes();
  }

  @Override
  public void close() throws OrtException {
    for (VisionSession s : sessions.values()) {
      s.close();
    }
  }
}
