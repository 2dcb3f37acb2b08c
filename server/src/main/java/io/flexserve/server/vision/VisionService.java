package io.flexserve.server.vision;

import io.flexserve.models.vision.Pixels;
import io.flexserve.models.vision.VisionManifest;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.config.VisionSettings;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.scheduling.BatchScheduler;
import jakarta.inject.Singleton;
import java.awt.image.BufferedImage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * One vision request, start to finish: decode (behind the limits), look the result up in the cache,
 * prepare pixels for the resolutions the router may pick, offer it to the model's scheduler, record
 * and cache the outcome.
 *
 * <p>Which variant runs: {@code X-Subnet} naming a variant ({@code mlp50@224}) or a sub-network (at
 * the requested {@code resolution}, else the largest) forces it; a {@code resolution} alone forces
 * {@code full} at that resolution; otherwise the router chooses among all (sub-network, resolution)
 * pairs under {@code X-Latency-Target-Ms}. The cache is consulted for the forced variant, or for
 * the best one when routing is free: a cached best answer is better than anything a target could
 * buy.
 */
@Singleton
public final class VisionService {
  private final ModelCatalog catalog;
  private final ImageDecoder decoder;
  private final VisionCache cache;
  private final VisionSettings settings;
  private final ServerMetrics metrics;
  private final FlexserveConfig config;

  public VisionService(
      ModelCatalog catalog,
      ImageDecoder decoder,
      VisionCache cache,
      VisionSettings settings,
      ServerMetrics metrics,
      FlexserveConfig config) {
    this.catalog = catalog;
    this.decoder = decoder;
    this.cache = cache;
    this.settings = settings;
    this.metrics = metrics;
    this.config = config;
  }

  /**
   * A served request.
   *
   * @param variant the menu entry that produced it, {@code <subnet>@<resolution>}
   * @param cacheHit whether it came from the cache (then queue and inference times are 0)
   * @param serverMillis from arrival to the result
   */
  public record Served(
      String model,
      VisionManifest.Variant variant,
      ImageFeatures features,
      boolean cacheHit,
      double queueMillis,
      double inferenceMillis,
      double predictedMillis,
      int batchRequests,
      OptionalDouble targetMillis,
      double serverMillis) {
    public Optional<Boolean> deadlineMet() {
      return targetMillis.isPresent()
          ? Optional.of(serverMillis <= targetMillis.getAsDouble())
          : Optional.empty();
    }
  }

  /**
   * @param arrivalMillis when the request reached the server, {@link System#nanoTime} in
   *     milliseconds
   */
  public CompletableFuture<Served> features(
      double arrivalMillis,
      String modelName,
      byte[] image,
      java.util.OptionalInt resolution,
      RoutingHeaders headers) {
    ServedVision model = ServedVision.from(catalog, modelName);
    Optional<String> forced = forcedVariant(model, headers.forcedSubnet(), resolution);
    BufferedImage decoded;
    try {
      decoded = decoder.decode(image);
    } catch (ApiException e) {
      metrics.imageRejections.labels(e.code()).inc();
      throw e;
    }
    String hash = sha256(image);
    String lookup = forced.orElse(model.menu().best().name());
    Optional<ImageFeatures> hit = cache.get(new VisionCache.Key(hash, model.name(), lookup));
    metrics.visionCacheLookups.labels(model.name(), hit.isPresent() ? "hit" : "miss").inc();
    if (hit.isPresent()) {
      return CompletableFuture.completedFuture(
          new Served(
              model.name(),
              variant(model, lookup),
              hit.get(),
              true,
              0,
              0,
              0,
              0,
              headers.latencyTargetMillis(),
              System.nanoTime() / 1e6 - arrivalMillis));
    }
    List<Integer> needed =
        forced.map(v -> List.of(variant(model, v).resolution())).orElse(model.resolutions());
    Map<Integer, float[]> pixels = new LinkedHashMap<>();
    Pixels.Resize resize =
        settings.resize().equals("stretch") ? Pixels.Resize.STRETCH : Pixels.Resize.FIT;
    for (int r : needed) {
      pixels.put(r, Pixels.of(decoded, r, resize, model.vision().padColor()));
    }
    BatchScheduler.Job<PreparedImage> job =
        new BatchScheduler.Job<>(
            arrivalMillis,
            new PreparedImage(hash, pixels),
            1,
            1,
            headers.latencyTargetMillis(),
            forced,
            headers.deadlinePolicy(),
            config.timeoutMillis(headers.timeoutMillis()));
    return BatchScheduler.thenApply(
        model.scheduler().submit(job),
        done -> {
          cache.put(new VisionCache.Key(hash, model.name(), done.subnet()), done.output());
          Served served =
              new Served(
                  model.name(),
                  variant(model, done.subnet()),
                  done.output(),
                  false,
                  done.queueMillis(),
                  done.inferenceMillis(),
                  done.predictedMillis(),
                  done.batchRequests(),
                  headers.latencyTargetMillis(),
                  System.nanoTime() / 1e6 - arrivalMillis);
          record(served);
          return served;
        });
  }

  private void record(Served served) {
    String model = served.model();
    String variant = served.variant().name();
    metrics.requestLatency.labels(model, variant).observe(served.serverMillis() / 1000);
    metrics.inferenceLatency.labels(model, variant).observe(served.inferenceMillis() / 1000);
    metrics.queueWait.labels(model).observe(served.queueMillis() / 1000);
    served
        .deadlineMet()
        .ifPresent(met -> metrics.deadlines.labels(model, variant, met ? "met" : "missed").inc());
  }

  /** The variant the client pinned, if any; 422 for a resolution the model does not serve. */
  static Optional<String> forcedVariant(
      ServedVision model, Optional<String> subnet, java.util.OptionalInt resolution) {
    if (resolution.isPresent() && !model.resolutions().contains(resolution.getAsInt())) {
      throw new ApiException.InvalidValue(
          "invalid_resolution",
          "resolution "
              + resolution.getAsInt()
              + " is not served by '"
              + model.name()
              + "'; served: "
              + model.resolutions());
    }
    if (subnet.isEmpty()) {
      return resolution.isPresent()
          ? Optional.of(VisionManifest.Variant.name("full", resolution.getAsInt()))
          : Optional.empty();
    }
    String s = subnet.get();
    if (s.contains("@")) {
      if (resolution.isPresent() && !s.endsWith("@" + resolution.getAsInt())) {
        throw new ApiException.InvalidValue(
            "invalid_value",
            "X-Subnet '" + s + "' contradicts resolution " + resolution.getAsInt());
      }
      return Optional.of(s);
    }
    return Optional.of(
        VisionManifest.Variant.name(s, resolution.orElse(model.resolutions().get(0))));
  }

  private static VisionManifest.Variant variant(ServedVision model, String name) {
    return model.vision().variants().stream()
        .filter(v -> v.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ApiException.InvalidValue(
                    "unknown_subnet",
                    "unknown variant '" + name + "'; valid: " + model.subnetNames()));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
