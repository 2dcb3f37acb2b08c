package io.flexserve.server.vision;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flexserve.server.config.VisionSettings;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Per-image results already computed, keyed by the image's SHA-256, the model and the variant
 * (sub-network and resolution). Bounded by bytes held ({@code flexserve.vision.cache-bytes}); 0
 * turns it off. Thread-safe (Caffeine).
 */
@Singleton
public final class VisionCache {
  /**
   * What identifies a result: the same bytes through the same variant of the same model compute the
   * same outputs.
   */
  public record Key(String sha256, String model, String variant) {}

  private final Cache<Key, ImageFeatures> cache;

  public VisionCache(VisionSettings settings) {
    this.cache =
        settings.cacheBytes() == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(settings.cacheBytes())
                .weigher((Key k, ImageFeatures v) -> (int) Math.min(Integer.MAX_VALUE, v.bytes()))
                .build();
  }

  public Optional<ImageFeatures> get(Key key) {
    return cache == null ? Optional.empty() : Optional.ofNullable(cache.getIfPresent(key));
  }

  public void put(Key key, ImageFeatures value) {
    if (cache != null) {
      cache.put(key, value);
    }
  }
}
