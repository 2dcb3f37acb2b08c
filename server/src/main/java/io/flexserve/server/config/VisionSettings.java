package io.flexserve.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Settings of the vision endpoints, bound from {@code flexserve.vision.*} (environment {@code
 * FLEXSERVE_VISION_*}). The defaults are safe for a server on the open network: an image is refused
 * before decoding when its bytes or its declared pixel count are over the limits, and at most
 * {@code maxConcurrentDecodes} images are decoded at once, so decoding never holds more than about
 * {@code maxConcurrentDecodes × maxImagePixels × 8} bytes.
 *
 * @param maxImageBytes largest encoded image, bytes (413 above); the HTTP body limit ({@code
 *     FLEXSERVE_MAX_BODY_BYTES}) applies first and must be raised with it
 * @param maxImagePixels largest declared width × height (413 above), read from the header before
 *     decoding
 * @param maxConcurrentDecodes images decoded at the same time; more requests wait their turn
 * @param resize {@code fit} (keep the aspect ratio, pad with the conditioner's mean) or {@code
 *     stretch}
 * @param cacheBytes bound on cached per-image results (Caffeine, by weight); 0 turns the cache off
 */
@ConfigurationProperties("flexserve.vision")
public record VisionSettings(
    @Bindable(defaultValue = "8388608") long maxImageBytes,
    @Bindable(defaultValue = "16777216") long maxImagePixels,
    @Bindable(defaultValue = "2") int maxConcurrentDecodes,
    @Bindable(defaultValue = "fit") String resize,
    @Bindable(defaultValue = "268435456") long cacheBytes) {
  public VisionSettings {
    if (maxImageBytes < 1 || maxImagePixels < 1 || maxConcurrentDecodes < 1 || cacheBytes < 0) {
      throw new IllegalArgumentException(
          "flexserve.vision: max-image-bytes, max-image-pixels and max-concurrent-decodes "
              + "must be ≥ 1 and cache-bytes ≥ 0; got "
              + maxImageBytes
              + ", "
              + maxImagePixels
              + ", "
              + maxConcurrentDecodes
              + ", "
              + cacheBytes);
    }
    if (!resize.equals("fit") && !resize.equals("stretch")) {
      throw new IllegalArgumentException(
          "flexserve.vision.resize must be fit or stretch, got '" + resize + "'");
    }
  }
}
