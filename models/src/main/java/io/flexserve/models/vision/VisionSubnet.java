package io.flexserve.models.vision;

import io.flexserve.models.importance.Importance;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One nested width/depth sub-network of an elastic ViT; the resolution is chosen separately, so a
 * served menu entry is a (sub-network, resolution) pair. Heads and MLP neurons are
 * importance-ordered prefixes.
 *
 * @param name lowercase identifier, e.g. {@code mlp50-heads75}
 * @param layers blocks that run, ascending; skipped blocks pass the residual stream through
 * @param heads attention heads kept per block
 * @param mlpWidth MLP neurons kept per block
 */
public record VisionSubnet(String name, List<Integer> layers, int heads, int mlpWidth) {
  public VisionSubnet {
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "sub-network name must be lowercase [a-z0-9._-], got '" + name + "'");
    }
    layers = List.copyOf(layers);
    if (layers.isEmpty() || heads <= 0 || mlpWidth <= 0) {
      throw new IllegalArgumentException(
          name + ": needs ≥ 1 layer, head and neuron: " + layers + ", " + heads + ", " + mlpWidth);
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i) <= layers.get(i - 1)) {
        throw new IllegalArgumentException(
            name + ": layers must be ascending and distinct: " + layers);
      }
    }
  }

  void checkFits(VisionConfig c) {
    if (layers.get(0) < 0
        || layers.get(layers.size() - 1) >= c.layers()
        || heads > c.heads()
        || mlpWidth > c.mlp()) {
      throw new IllegalArgumentException(
          name
              + " (layers "
              + layers
              + ", heads "
              + heads
              + ", mlp "
              + mlpWidth
              + ") does not fit a model of "
              + c.layers()
              + " layers, "
              + c.heads()
              + " heads, MLP "
              + c.mlp());
    }
  }

  /** Block parameters relative to the full model's blocks. */
  public double relativeSize(VisionConfig c) {
    long perHead = 4L * c.hidden() * c.headDim();
    long perNeuron = 2L * c.hidden();
    double full = (double) c.layers() * (c.heads() * perHead + c.mlp() * perNeuron);
    return layers.size() * (heads * perHead + (double) mlpWidth * perNeuron) / full;
  }

  public static VisionSubnet full(VisionConfig c) {
    return new VisionSubnet(
        "full", IntStream.range(0, c.layers()).boxed().toList(), c.heads(), c.mlp());
  }

  /**
   * The default menu once block importance is known: full, then narrower MLPs, fewer heads, and
   * finally the two least important blocks skipped (Flextron's width and depth axes).
   */
  public static List<VisionSubnet> defaults(VisionConfig c, double[] blockScores) {
    int l = c.layers();
    int shallow = Math.max(1, l - 2);
    return List.of(
        full(c),
        plan(c, blockScores, "mlp50", l, 1.0, 0.5),
        plan(c, blockScores, "mlp50-heads50", l, 0.5, 0.5),
        plan(c, blockScores, "mlp25-heads50-l" + shallow, shallow, 0.5, 0.25));
  }

  private static VisionSubnet plan(
      VisionConfig c, double[] blockScores, String name, int layers, double heads, double mlp) {
    int h = Math.max(1, (int) Math.round(c.heads() * heads));
    int f = Math.min(c.mlp(), Math.max(8, (int) Math.round(c.mlp() * mlp / 8.0) * 8));
    return new VisionSubnet(name, Importance.keptLayers(blockScores, layers), h, f);
  }
}
