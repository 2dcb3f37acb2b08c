package io.flexserve.server.vision;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * Body of {@code POST /v1/vision/features}.
 *
 * @param subnet the width/depth sub-network that ran
 * @param resolution the square input resolution it ran at, pixels
 * @param summary {@code [C·H]}: the CLS tokens concatenated; null when not asked for
 * @param features the spatial features; null when not asked for
 */
@Serdeable
public record VisionResponse(
    String object,
    String model,
    String subnet,
    int resolution,
    @Nullable float[] summary,
    @Nullable Features features) {
  /**
   * @param format {@code nlc} ({@code shape [N, H]}) or {@code nchw} ({@code shape [H, g, g]})
   * @param data row-major in {@code shape}
   */
  @Serdeable
  public record Features(String format, List<Integer> shape, float[] data) {}
}
