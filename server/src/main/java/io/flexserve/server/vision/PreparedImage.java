package io.flexserve.server.vision;

import java.util.Map;

/**
 * One decoded image, ready for any served resolution, as it waits in the scheduler's queue. Pixels
 * are prepared for every resolution before queueing because the router picks the resolution only at
 * dispatch; the decoded image itself (possibly megapixels) is not kept.
 *
 * @param sha256 hex SHA-256 of the encoded bytes: the cache key's image part
 * @param pixels by resolution, {@code [3, R, R]} planar RGB in [0, 1]
 */
public record PreparedImage(String sha256, Map<Integer, float[]> pixels) {
  public PreparedImage {
    pixels = Map.copyOf(pixels);
  }
}
