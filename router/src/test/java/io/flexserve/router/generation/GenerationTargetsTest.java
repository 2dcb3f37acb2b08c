package io.flexserve.router.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GenerationTargetsTest {
  @Test
  void tpotTarget_isTheTighterOfTheTpotTargetAndWhatTheTotalLeavesPerToken() {
    GenerationTargets both = new GenerationTargets(1000.0, null, 30.0);
    assertEquals(10, both.tpotTargetMs(0, 100), 1e-9, "1000 ms over 100 tokens leaves 10 each");
    assertEquals(
        30, both.tpotTargetMs(0, 10), 1e-9, "1000 ms over 10 tokens is 100: 30 is tighter");
  }

  @Test
  void tpotTarget_fromATotalShrinksAsTimePasses() {
    GenerationTargets total = new GenerationTargets(1000.0, null, null);
    assertEquals(100, total.tpotTargetMs(0, 10), 1e-9);
    assertEquals(10, total.tpotTargetMs(900, 10), 1e-9);
    assertTrue(total.tpotTargetMs(1100, 10) < 0, "past the deadline: behind at any speed");
    assertEquals(
        Double.POSITIVE_INFINITY, total.tpotTargetMs(900, 0), "no token left: no pace to keep");
  }

  @Test
  void tpotTarget_withoutAPace_isInfinite() {
    assertEquals(Double.POSITIVE_INFINITY, GenerationTargets.NONE.tpotTargetMs(0, 10));
    assertEquals(
        Double.POSITIVE_INFINITY, new GenerationTargets(null, 50.0, null).tpotTargetMs(0, 10));
    assertFalse(new GenerationTargets(null, 50.0, null).paced());
    assertTrue(new GenerationTargets(null, null, 50.0).paced());
    assertTrue(new GenerationTargets(50.0, null, null).paced());
  }

  @Test
  void metBy_checksEveryGivenTargetAndOnlyThose() {
    GenerationTargets t = new GenerationTargets(1000.0, 100.0, 20.0);
    assertTrue(t.metBy(100, 20, 1000), "at the targets is meeting them");
    assertFalse(t.metBy(101, 20, 1000));
    assertFalse(t.metBy(100, 21, 1000));
    assertFalse(t.metBy(100, 20, 1001));
    assertTrue(new GenerationTargets(null, 100.0, null).metBy(50, 1e9, 1e9));
    assertTrue(GenerationTargets.NONE.metBy(Double.NaN, Double.NaN, Double.NaN));
    assertFalse(t.metBy(Double.NaN, 20, 1000), "no first token: the TTFT target is missed");
  }
}
