package io.flexserve.distill;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Which sub-networks one training step trains: always the largest and the smallest, plus {@code
 * others} sampled from the rest (the "sandwich rule" of slimmable networks, Yu and Huang 2019, as
 * Flextron and MatFormer train nested models). The largest bounds the family from above and the
 * smallest from below; the sampled middle keeps every entry served by the menu in the loss over
 * time.
 */
record Sandwich(List<String> menu, String smallest, int others) {
  Sandwich {
    menu = List.copyOf(menu);
    if (menu.isEmpty() || !menu.contains(smallest)) {
      throw new IllegalArgumentException(
          "the smallest sub-network " + smallest + " is not in the menu " + menu);
    }
    if (others < 0) {
      throw new IllegalArgumentException("others must be ≥ 0, got " + others);
    }
  }

  /** The entries of one step, largest first, each at most once. */
  List<String> pick(Random random) {
    List<String> picked = new ArrayList<>(List.of(menu.get(0)));
    if (!picked.contains(smallest)) {
      picked.add(smallest);
    }
    List<String> middle = new ArrayList<>(menu);
    middle.removeAll(picked);
    for (int i = 0; i < others && !middle.isEmpty(); i++) {
      picked.add(middle.remove(random.nextInt(middle.size())));
    }
    return picked;
  }
}
