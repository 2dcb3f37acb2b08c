package io.flexserve.toolchain;

import io.flexserve.models.llm.DecoderSubnet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A decoder sub-network's per-layer shape in a few characters: {@code 4/172 ×5}, or the distinct
 * shapes listed.
 */
final class LayerSummary {
  private LayerSummary() {}

  static String of(List<DecoderSubnet.Layer> layers) {
    List<String> shapes =
        layers.stream().map(l -> l.kvGroups() + "/" + l.mlpWidth()).distinct().toList();
    if (shapes.size() == 1) {
      return shapes.get(0) + " ×" + layers.size();
    }
    return layers.stream()
        .map(l -> l.kvGroups() + "/" + l.mlpWidth())
        .collect(Collectors.joining(","));
  }
}
