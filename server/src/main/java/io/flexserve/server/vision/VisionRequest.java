package io.flexserve.server.vision;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * One parsed vision request, whatever its wire form (multipart, raw bytes, JSON with base64).
 *
 * @param model empty: the only served model
 * @param image the encoded JPEG or PNG bytes
 * @param resolution the square resolution asked for; empty lets the router choose
 * @param format layout of the spatial features
 * @param summary whether to return the summary vector
 * @param features whether to return the spatial features
 */
public record VisionRequest(
    Optional<String> model,
    byte[] image,
    OptionalInt resolution,
    FeatureFormat format,
    boolean summary,
    boolean features) {
  /** Layout of the spatial features of one image. */
  public enum FeatureFormat {
    /**
     * {@code [N, H]}: one row per patch, row-major over the patch grid (tokens, as the model
     * computes them).
     */
    NLC,
    /** {@code [H, g, g]}: one plane per channel, as a convolutional head expects. */
    NCHW
  }
}
