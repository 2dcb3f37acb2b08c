package io.flexserve.router;

import java.util.Objects;

/**
 * One sub-network of an elastic model, as the router sees it: how big it is, how good it is, and
 * how fast it runs.
 *
 * @param name the sub-network's name, as clients pass it in {@code X-Subnet}; not blank
 * @param relativeSize parameter count relative to the full model, in (0, 1]; the full model is 1.0
 * @param quality measured fidelity relative to the full model, in [0, 1]; higher is better and the
 *     full model is 1.0
 * @param latency predicted inference latency by input size
 */
public record SubnetProfile(
    String name, double relativeSize, double quality, LatencyCurve latency) {

  /**
   * Validates the profile.
   *
   * @throws IllegalArgumentException if {@code name} is blank, {@code relativeSize} is outside (0,
   *     1] or {@code quality} is outside [0, 1] (NaN is outside both)
   * @throws NullPointerException if {@code name} or {@code latency} is null
   */
  public SubnetProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(latency, "latency of subnet '" + name + "'");
    if (name.isBlank()) {
      throw new IllegalArgumentException("subnet name must not be blank, got '" + name + "'");
    }
    if (!(relativeSize > 0 && relativeSize <= 1)) {
      throw new IllegalArgumentException(
          "relativeSize must be in (0, 1], got " + relativeSize + " for subnet '" + name + "'");
    }
    if (!(quality >= 0 && quality <= 1)) {
      throw new IllegalArgumentException(
          "quality must be in [0, 1], got " + quality + " for subnet '" + name + "'");
    }
  }

  /**
   * Predicts this sub-network's inference latency for an input of {@code tokens} total padded
   * tokens; shorthand for {@code latency().predictMillis(tokens)}.
   *
   * @throws IllegalArgumentException if {@code tokens} is not positive
   */
  public double predictMillis(int tokens) {
    return latency.predictMillis(tokens);
  }
}
