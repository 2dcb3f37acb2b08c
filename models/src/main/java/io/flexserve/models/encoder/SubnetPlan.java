package io.flexserve.models.encoder;

import io.flexserve.models.importance.Importance;
import java.util.List;

/**
 * What a sub-network should keep, as fractions of the full model; turned into an {@link
 * EncoderSubnet} once importance is known (which layers to keep depends on block importance).
 *
 * @param layers number of blocks to keep (the most important ones)
 * @param headFraction fraction of heads to keep, rounded to whole heads
 * @param mlpFraction fraction of MLP neurons to keep, rounded to a multiple of 8
 */
public record SubnetPlan(String name, int layers, double headFraction, double mlpFraction) {
  public SubnetPlan {
    if (layers <= 0
        || !(headFraction > 0 && headFraction <= 1)
        || !(mlpFraction > 0 && mlpFraction <= 1)) {
      throw new IllegalArgumentException(
          name
              + ": layers "
              + layers
              + ", headFraction "
              + headFraction
              + ", mlpFraction "
              + mlpFraction
              + " out of range");
    }
  }

  /** The default menu: full, then shrinking MLP, heads and depth (Flextron's width/depth axes). */
  public static List<SubnetPlan> defaults(EncoderConfig config) {
    int l = config.layers();
    return List.of(
        new SubnetPlan("full", l, 1.0, 1.0),
        new SubnetPlan("mlp75", l, 1.0, 0.75),
        new SubnetPlan("mlp50-heads75", l, 0.75, 0.5),
        new SubnetPlan("mlp25-heads50-l" + Math.max(1, l - 2), Math.max(1, l - 2), 0.5, 0.25));
  }

  EncoderSubnet resolve(EncoderConfig config, double[] blockScores) {
    int keepLayers = Math.min(layers, config.layers());
    int heads = Math.max(1, (int) Math.round(config.heads() * headFraction));
    int mlp = Math.max(8, (int) Math.round(config.intermediate() * mlpFraction / 8.0) * 8);
    return new EncoderSubnet(
        name,
        Importance.keptLayers(blockScores, keepLayers),
        heads,
        Math.min(mlp, config.intermediate()));
  }
}
