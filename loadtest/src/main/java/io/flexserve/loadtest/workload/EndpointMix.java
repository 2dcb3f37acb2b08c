package io.flexserve.loadtest.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * How a generated workload splits its requests across endpoint kinds: each request's kind is drawn
 * independently with probability proportional to its weight, seeded, so equal seeds give equal
 * mixes.
 *
 * @param weights kind to weight, each weight &gt; 0; at least one kind
 */
public record EndpointMix(Map<EndpointKind, Double> weights) {
  // Keeps the kind draws apart from the arrival and target streams that use the same --seed.
  private static final long STREAM = 0x6d69785f6b696e64L;

  public EndpointMix {
    weights = Collections.unmodifiableMap(new EnumMap<>(weights));
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("the endpoint mix needs at least one kind");
    }
    weights.forEach(
        (k, w) -> {
          if (!(w > 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException("weight of " + k.label() + " must be > 0, got " + w);
          }
        });
  }

  /** Every request to {@code kind}. */
  public static EndpointMix only(EndpointKind kind) {
    return new EndpointMix(Map.of(kind, 1.0));
  }

  /**
   * Parses {@code kind=weight,kind=weight,...}, such as {@code
   * embeddings=0.5,completions=0.3,chat-stream=0.2}; weights need not add up to 1 (they are
   * normalised), and a kind without {@code =weight} has weight 1.
   *
   * @throws IllegalArgumentException naming the bad part
   */
  public static EndpointMix parse(String spec) {
    Map<EndpointKind, Double> weights = new EnumMap<>(EndpointKind.class);
    for (String part : spec.split(",", -1)) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("--mix '" + spec + "' has an empty part");
      }
      int eq = p.indexOf('=');
      EndpointKind kind = EndpointKind.parse(eq < 0 ? p : p.substring(0, eq));
      double w;
      try {
        w = eq < 0 ? 1 : Double.parseDouble(p.substring(eq + 1).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--mix: weight of '" + p + "' is not a number");
      }
      if (weights.put(kind, w) != null) {
        throw new IllegalArgumentException("--mix names " + kind.label() + " twice");
      }
    }
    return new EndpointMix(weights);
  }

  /** The kinds of {@code n} requests, drawn with {@code seed}. */
  public List<EndpointKind> draw(int n, long seed) {
    List<EndpointKind> kinds = new ArrayList<>(weights.keySet());
    if (kinds.size() == 1) {
      return Collections.nCopies(n, kinds.get(0));
    }
    double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    SplittableRandom random = new SplittableRandom(seed ^ STREAM);
    List<EndpointKind> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double u = random.nextDouble() * total;
      EndpointKind chosen = kinds.get(kinds.size() - 1);
      for (EndpointKind k : kinds) {
        u -= weights.get(k);
        if (u < 0) {
          chosen = k;
          break;
        }
      }
      out.add(chosen);
    }
    return out;
  }

  /** Whether any kind is a text generation. */
  public boolean hasGeneration() {
    return weights.keySet().stream().anyMatch(EndpointKind::generation);
  }

  /** {@code kind=share%} pairs, for reports. */
  public String describe() {
    double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    return weights.entrySet().stream()
        .map(
            e ->
                e.getKey().label()
                    + "="
                    + String.format(java.util.Locale.ROOT, "%.3g", e.getValue() / total))
        .collect(Collectors.joining(","));
  }
}
