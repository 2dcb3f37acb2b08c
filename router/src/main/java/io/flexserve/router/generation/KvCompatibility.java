package io.flexserve.router.generation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sub-networks of one decoder share a KV-cache layout: the same kept layer indices, and in
 * every kept layer the same number of KV groups. Such sub-networks differ only in what does not
 * touch the cache (MLP width), so a generation's cache made by one is valid input to another and
 * the generation may change sub-network between tokens.
 */
public final class KvCompatibility {
  /**
   * A kept layer as far as the KV cache is concerned: its index in the dense model and its kept KV
   * groups.
   */
  public record KvLayer(int index, int kvGroups) {}

  private final Map<String, List<KvLayer>> layouts;

  /**
   * @param layouts per sub-network (in menu order), its kept layers in execution order
   */
  public KvCompatibility(Map<String, List<KvLayer>> layouts) {
    Map<String, List<KvLayer>> copy = new LinkedHashMap<>();
    layouts.forEach((name, layers) -> copy.put(name, List.copyOf(layers)));
    this.layouts = copy;
  }

  /**
   * Whether {@code a} and {@code b} (both known) share a KV layout; every sub-network is compatible
   * with itself.
   */
  public boolean compatible(String a, String b) {
    List<KvLayer> la = layouts.get(a);
    List<KvLayer> lb = layouts.get(b);
    if (la == null || lb == null) {
      throw new IllegalArgumentException("unknown sub-network: " + (la == null ? a : b));
    }
    return la.equals(lb);
  }

  /** The sub-networks sharing {@code name}'s KV layout, itself included, in menu order. */
  public List<String> compatibleWith(String name) {
    List<String> out = new ArrayList<>();
    for (String other : layouts.keySet()) {
      if (compatible(name, other)) {
        out.add(other);
      }
    }
    return out;
  }

  /** Sub-networks grouped by KV layout, in menu order; a group of one cannot switch. */
  public List<List<String>> groups() {
    Map<List<KvLayer>, List<String>> byLayout = new LinkedHashMap<>();
    layouts.forEach(
        (name, layers) -> byLayout.computeIfAbsent(layers, k -> new ArrayList<>()).add(name));
    return byLayout.values().stream().map(List::copyOf).toList();
  }
}
