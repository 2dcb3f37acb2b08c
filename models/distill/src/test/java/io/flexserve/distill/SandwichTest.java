package io.flexserve.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandwichTest {
  private final List<String> menu = List.of("full", "a", "b", "c", "small");

  @Test
  void pick_alwaysTrainsTheLargestAndTheSmallest_andSamplesEveryOtherOverTime() {
    Sandwich sandwich = new Sandwich(menu, "small", 1);
    Set<String> middle = new HashSet<>();
    Random random = new Random(5);
    for (int i = 0; i < 200; i++) {
      List<String> picked = sandwich.pick(random);
      assertEquals(3, picked.size(), picked.toString());
      assertEquals("full", picked.get(0));
      assertEquals("small", picked.get(1));
      middle.add(picked.get(2));
    }
    assertEquals(Set.of("a", "b", "c"), middle);
  }

  @Test
  void pick_neverRepeatsAnEntry_whenMoreAreAskedThanExist() {
    List<String> picked = new Sandwich(menu, "small", 10).pick(new Random(1));
    assertEquals(5, picked.size());
    assertEquals(5, new HashSet<>(picked).size());
    assertEquals(List.of("full"), new Sandwich(List.of("full"), "full", 2).pick(new Random(1)));
  }

  @Test
  void aSmallestOutsideTheMenuIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Sandwich(menu, "tiny", 1));
  }

  @Test
  void learningRate_warmsUpThenDecaysToATenth_andFollowsStepsWhenThereIsAStepBudget() {
    TrainingPlan plan = new TrainingPlan(1000, Duration.ofMinutes(10), 1, 1e-3f, 3f, 1, 0);
    assertEquals(1e-4f, plan.learningRate(0), 1e-9);
    assertEquals(1e-3f, plan.learningRate(0.05), 1e-9);
    assertEquals(1e-4f, plan.learningRate(1), 1e-9);
    assertTrue(plan.learningRate(0.5) < 1e-3f && plan.learningRate(0.5) > 1e-4f);
    assertEquals(
        0.5,
        plan.progress(500, 9999),
        1e-12,
        "with a step budget, time does not move the schedule");
    TrainingPlan timed = new TrainingPlan(0, Duration.ofMinutes(10), 1, 1e-3f, 3f, 1, 0);
    assertEquals(0.5, timed.progress(123, 300), 1e-12);
    assertEquals(Integer.MAX_VALUE, timed.lastStep());
  }
}
