package io.flexserve.router.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationRouterTest {
  // full: 20 ms/step, small: 10 ms/step; prefill 1 and 0.5 ms/token
  final DecoderProfile full = new DecoderProfile("full", 1.0, 20, 2, 5.0);
  final DecoderProfile small = new DecoderProfile("lat50", 0.5, 10, 1, 9.0);
  final List<DecoderProfile> menu = List.of(full, small);

  @Test
  void noTargetsMeansTheMostAccurate() {
    assertEquals(
        "full",
        GenerationRouter.choose(menu, 10, 32, GenerationTargets.NONE, GenerationRouter.Load.IDLE)
            .profile()
            .name());
  }

  @Test
  void tpotTargetBetweenTheTwoPicksTheSmallOne() {
    GenerationRouter.Choice c =
        GenerationRouter.choose(
            menu, 10, 32, new GenerationTargets(null, null, 15.0), GenerationRouter.Load.IDLE);
    assertEquals("lat50", c.profile().name());
    assertEquals(10, c.tpotMs(), 1e-9);
    assertTrue(c.meets());
  }

  @Test
  void totalTargetCountsPrefillAndEveryFurtherToken() {
    // full: 100 + 9·20 = 280 ms; small: 50 + 9·10 = 140 ms
    assertEquals(
        "full",
        GenerationRouter.choose(
                menu, 100, 10, new GenerationTargets(280.0, null, null), GenerationRouter.Load.IDLE)
            .profile()
            .name());
    GenerationRouter.Choice c =
        GenerationRouter.choose(
            menu, 100, 10, new GenerationTargets(279.0, null, null), GenerationRouter.Load.IDLE);
    assertEquals("lat50", c.profile().name());
    assertEquals(140, c.totalMs(), 1e-9);
  }

  @Test
  void runningBatchesSlowEveryToken() {
    // 3 rows already on full: joining makes its step 20 + 3·2 = 26 ms > 25; on small: 10 + full's
    // 24 = 34 > 25
    GenerationRouter.Load busy = new GenerationRouter.Load(5, 0, Map.of("full", 3));
    GenerationRouter.Choice c =
        GenerationRouter.choose(menu, 10, 32, new GenerationTargets(null, 40.0, 25.0), busy);
    assertFalse(c.meets());
    assertEquals("full", c.profile().name(), "neither meets: the fastest in total is reported");
    assertEquals(5 + 10, c.ttftMs(), 1e-9);
  }

  @Test
  void ttftTargetWaitsForTheStepInFlight() {
    GenerationRouter.Load busy = new GenerationRouter.Load(8, 0, Map.of());
    assertFalse(
        GenerationRouter.choose(
                List.of(small), 10, 1, new GenerationTargets(null, 12.0, null), busy)
            .meets());
    assertTrue(
        GenerationRouter.choose(
                List.of(small), 10, 1, new GenerationTargets(null, 13.0, null), busy)
            .meets());
  }

  @Test
  void compensationRanksAreMenuEntries_aTighterTargetDropsRankBeforeWidth() {
    // a compressed model: full at EoRA ranks 16 and 4 and without, then a narrower sub-network;
    // most accurate first
    List<DecoderProfile> ranked =
        List.of(
            new DecoderProfile("full.r16", 1.0, 23, 2, 4.27),
            new DecoderProfile("full.r4", 1.0, 21, 2, 4.39),
            new DecoderProfile("full", 1.0, 20, 2, 4.62),
            small);
    assertEquals(
        "full.r16",
        GenerationRouter.choose(ranked, 10, 32, GenerationTargets.NONE, GenerationRouter.Load.IDLE)
            .profile()
            .name());
    assertEquals(
        "full.r4",
        GenerationRouter.choose(
                ranked, 10, 32, new GenerationTargets(null, null, 22.0), GenerationRouter.Load.IDLE)
            .profile()
            .name());
    assertEquals(
        "full",
        GenerationRouter.choose(
                ranked, 10, 32, new GenerationTargets(null, null, 20.0), GenerationRouter.Load.IDLE)
            .profile()
            .name());
    assertEquals(
        "lat50",
        GenerationRouter.choose(
                ranked, 10, 32, new GenerationTargets(null, null, 19.0), GenerationRouter.Load.IDLE)
            .profile()
            .name());
  }

  @Test
  void precisionsAreMenuEntries_aTightTpotRoutesToInt4_unlessItsSlowerPrefillMissesTheTtft() {
    // the 100M shape's figures: int4 decodes ~2.5× faster than fp32 but prefills slower (measured
    // per entry)
    List<DecoderProfile> ranked =
        List.of(
            new DecoderProfile("full", 0.6, 13.0, 2, 4.28),
            new DecoderProfile("full.int4.r16", 0.9, 5.2, 1, 4.35),
            new DecoderProfile("full.int4", 0.9, 4.8, 1, 4.50),
            new DecoderProfile("lat40", 0.2, 5.5, 1, 9.80),
            new DecoderProfile("lat40.int4", 0.3, 2.4, 1, 10.4));
    GenerationRouter.Load idle = GenerationRouter.Load.IDLE;
    assertEquals(
        "full",
        GenerationRouter.choose(ranked, 16, 32, GenerationTargets.NONE, idle).profile().name());
    assertEquals(
        "full.int4.r16",
        GenerationRouter.choose(ranked, 16, 32, new GenerationTargets(null, null, 6.0), idle)
            .profile()
            .name());
    assertEquals(
        "full.int4",
        GenerationRouter.choose(ranked, 16, 32, new GenerationTargets(null, null, 5.0), idle)
            .profile()
            .name());
    // a 256-token prompt under a 200 ms TTFT: int4's prefill (230 ms) misses, the fp32 small entry
    // (51 ms) meets both
    assertEquals(
        "lat40",
        GenerationRouter.choose(ranked, 256, 32, new GenerationTargets(null, 200.0, 6.0), idle)
            .profile()
            .name());
  }
}
