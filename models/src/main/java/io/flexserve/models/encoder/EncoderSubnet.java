package io.flexserve.models.encoder;

import java.util.List;

/**
 * One nested sub-network of an elastic encoder: which blocks run, and how many (importance-ordered)
 * attention heads and MLP neurons each of them keeps. Because weights are stored in importance
 * order, {@code heads} and {@code mlpWidth} select prefixes.
 *
 * @param name stable identifier used in URLs and headers, e.g. {@code mlp50-heads75}
 * @param layers indices of the blocks that run, ascending; skipped blocks pass the residual stream
 *     through
 * @param heads attention heads kept in every kept block
 * @param mlpWidth MLP neurons kept in every kept block
 */
public record EncoderSubnet(String name, List<Integer> layers, int heads, int mlpWidth) {
  public EncoderSubnet {
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "sub-network name must be lowercase [a-z0-9._-], got '" + name + "'");
    }
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(name + ": a sub-network needs at least one layer");
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i) <= layers.get(i - 1)) {
        throw new IllegalArgumentException(
            name + ": layers must be ascending and distinct: " + layers);
      }
    }
    if (heads <= 0 || mlpWidth <= 0) {
      throw new IllegalArgumentException(
          name + ": heads " + heads + " and mlpWidth " + mlpWidth + " must be positive");
    }
  }

  /** Checks this sub-network fits inside a model of shape {@code config}. */
  public void checkFits(EncoderConfig config) {
    if (layers.get(layers.size() - 1) >= config.layers() || layers.get(0) < 0) {
      throw new IllegalArgumentException(
          name + ": layers " + layers + " outside 0.." + (config.layers() - 1));
    }
    if (heads > config.heads() || mlpWidth > config.intermediate()) {
      throw new IllegalArgumentException(
          name
              + ": heads "
              + heads
              + "/"
              + config.heads()
              + " or mlpWidth "
              + mlpWidth
              + "/"
              + config.intermediate()
              + " exceeds the full model");
    }
  }

  /**
   * Parameters in the transformer blocks relative to the full model's blocks (embeddings excluded).
   */
  public double relativeBlockSize(EncoderConfig config) {
    long h = config.hidden();
    long perHead = 4 * h * config.headDim();
    long perNeuron = 2 * h;
    double full =
        (double) config.layers() * (config.heads() * perHead + config.intermediate() * perNeuron);
    double mine = (double) layers.size() * (heads * perHead + (long) mlpWidth * perNeuron);
    return mine / full;
  }

  /** The full model as a sub-network. */
  public static EncoderSubnet full(EncoderConfig config) {
    List<Integer> all = java.util.stream.IntStream.range(0, config.layers()).boxed().toList();
    return new EncoderSubnet("full", all, config.heads(), config.intermediate());
  }
}
