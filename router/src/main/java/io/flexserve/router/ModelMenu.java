package io.flexserve.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The sub-networks one elastic model offers, ordered most accurate first. Immutable.
 *
 * <p>Order: quality descending; equal quality puts the larger sub-network first (more parameters at
 * the same measured quality is the safer bet); full ties fall back to name so the order never
 * depends on input order. Every "pick one" method below resolves ties by taking the earliest in
 * this order.
 */
public final class ModelMenu {

  private static final Comparator<SubnetProfile> BEST_FIRST =
      Comparator.comparingDouble(SubnetProfile::quality)
          .reversed()
          .thenComparing(Comparator.comparingDouble(SubnetProfile::relativeSize).reversed())
          .thenComparing(SubnetProfile::name);

  private final List<SubnetProfile> bestFirst;

  private ModelMenu(List<SubnetProfile> bestFirst) {
    this.bestFirst = bestFirst;
  }

  /**
   * Builds a menu from sub-networks in any order.
   *
   * @param subnets at least one; names unique (case-sensitive); the list is copied
   * @return the menu
   * @throws IllegalArgumentException if {@code subnets} is empty or two share a name
   * @throws NullPointerException if {@code subnets} or any element is null
   */
  public static ModelMenu of(List<SubnetProfile> subnets) {
    Objects.requireNonNull(subnets, "subnets");
    if (subnets.isEmpty()) {
      throw new IllegalArgumentException("a model menu needs at least one subnet");
    }
    Set<String> seen = new HashSet<>();
    for (SubnetProfile subnet : subnets) {
      Objects.requireNonNull(subnet, "subnets must not contain null");
      if (!seen.add(subnet.name())) {
        throw new IllegalArgumentException("duplicate subnet name '" + subnet.name() + "'");
      }
    }
    List<SubnetProfile> sorted = new ArrayList<>(subnets);
    sorted.sort(BEST_FIRST);
    return new ModelMenu(List.copyOf(sorted));
  }

  /** Returns every sub-network, most accurate first; an unmodifiable list. */
  public List<SubnetProfile> bestFirst() {
    return bestFirst;
  }

  /** Returns the most accurate sub-network: the full model. */
  public SubnetProfile best() {
    return bestFirst.get(0);
  }

  /** Returns the sub-network with the largest relative size; ties go to the more accurate. */
  public SubnetProfile largest() {
    SubnetProfile largest = bestFirst.get(0);
    for (SubnetProfile candidate : bestFirst) {
      if (candidate.relativeSize() > largest.relativeSize()) {
        largest = candidate;
      }
    }
    return largest;
  }

  /** Returns the sub-network with the smallest relative size; ties go to the more accurate. */
  public SubnetProfile smallest() {
    SubnetProfile smallest = bestFirst.get(0);
    for (SubnetProfile candidate : bestFirst) {
      if (candidate.relativeSize() < smallest.relativeSize()) {
        smallest = candidate;
      }
    }
    return smallest;
  }

  /**
   * Looks a sub-network up by exact, case-sensitive name.
   *
   * @return the sub-network, or empty if the menu has none of that name
   * @throws NullPointerException if {@code name} is null
   */
  public Optional<SubnetProfile> find(String name) {
    Objects.requireNonNull(name, "name");
    for (SubnetProfile subnet : bestFirst) {
      if (subnet.name().equals(name)) {
        return Optional.of(subnet);
      }
    }
    return Optional.empty();
  }

  /** Returns the sub-network names, most accurate first; an unmodifiable list. */
  public List<String> names() {
    return bestFirst.stream().map(SubnetProfile::name).toList();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ModelMenu menu && bestFirst.equals(menu.bestFirst);
  }

  @Override
  public int hashCode() {
    return bestFirst.hashCode();
  }

  @Override
  public String toString() {
    return "ModelMenu" + names();
  }
}
