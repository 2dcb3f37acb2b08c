package io.flexserve.router.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenSwitchPolicyTest {
  // full 20 ms/step (+4 per extra row), full-mlp50 12 ms (+2), full-mlp25 8 ms (+1); most accurate
  // first
  final DecoderProfile full = new DecoderProfile("full", 1, 20, 4, 5.0);
  final DecoderProfile half = new DecoderProfile("full-mlp50", 0.6, 12, 2, 6.0);
  final DecoderProfile quarter = new DecoderProfile("full-mlp25", 0.4, 8, 1, 8.0);
  final List<DecoderProfile> compatible = List.of(full, half, quarter);
  final TokenSwitchPolicy policy = TokenSwitchPolicy.DEFAULT;

  static TokenSwitchPolicy.State on(String subnet, double tpot, int tokens) {
    return new TokenSwitchPolicy.State(subnet, tpot, tokens, Integer.MAX_VALUE, 0);
  }

  @Test
  void behindStepsDownToTheMostAccurateThatFits() {
    // alone on full at 21 ms, target 15: without the row 1 ms remains; mlp50 predicts 13 ≤ 15
    assertEquals("full-mlp50", policy.decide(on("full", 21, 4), 15, compatible, Map.of("full", 1)));
    // target 10: mlp50 predicts 13, too slow; mlp25 predicts 9
    assertEquals("full-mlp25", policy.decide(on("full", 21, 4), 10, compatible, Map.of("full", 1)));
  }

  @Test
  void behindWithNothingFittingTakesTheFastest() {
    assertEquals("full-mlp25", policy.decide(on("full", 21, 4), 2, compatible, Map.of("full", 1)));
    assertNull(
        policy.decide(on("full-mlp25", 9, 4), 2, compatible, Map.of("full-mlp25", 1)),
        "nothing faster");
    // one of three rows on full (28 ms), observed 30: alone into an empty mlp25 batch it predicts
    // 30 − 4 + 8 = 34,
    // worse than staying: no move
    assertNull(policy.decide(on("full", 30, 4), 20, compatible, Map.of("full", 3)));
    // the three together: 30 − 28 + mlp25(3) 10 = 12 ≤ 20; mlp50(3) 16 fits first
    assertEquals(
        "full-mlp50", policy.decide(on("full", 30, 4), 20, compatible, Map.of("full", 3), 3));
  }

  @Test
  void comfortablyAheadStepsUp() {
    // alone on mlp25 at 9 ms; full predicts 21, mlp50 13. Target 30: 0.8 × 30 = 24 ≥ 21 → full
    assertEquals(
        "full", policy.decide(on("full-mlp25", 9, 4), 30, compatible, Map.of("full-mlp25", 1)));
    // target 20: 16 ≥ 13 → mlp50, full does not fit with margin
    assertEquals(
        "full-mlp50",
        policy.decide(on("full-mlp25", 9, 4), 20, compatible, Map.of("full-mlp25", 1)));
    // target 15: 12 < 13: stays
    assertNull(policy.decide(on("full-mlp25", 9, 4), 15, compatible, Map.of("full-mlp25", 1)));
  }

  @Test
  void stepUpCountsTheLoadOfTheLargerBatch() {
    // two rows on mlp50 (14 ms), three rows already on full (28 ms step): the row adds 4 ms there
    Map<String, Integer> rows = Map.of("full", 3, "full-mlp50", 2);
    // observed 42 (both batches + overhead); without this row 40; on full 44. Target 56: 0.8 × 56 =
    // 44.8 → full
    assertEquals("full", policy.decide(on("full-mlp50", 42, 4), 56, compatible, rows));
    assertNull(policy.decide(on("full-mlp50", 42, 4), 54, compatible, rows));
  }

  @Test
  void aWholeBatchMovingUpTogetherDoesNotPayForTwoSteps() {
    // four rows on mlp25 (11 ms step), observed 11; target 30 (24 with margin)
    Map<String, Integer> rows = Map.of("full-mlp25", 4);
    // one alone: 11 − 1 + full's 20 = 30 > 24; mlp50 alone: 11 − 1 + 12 = 22 ≤ 24
    assertEquals("full-mlp50", policy.decide(on("full-mlp25", 11, 4), 30, compatible, rows));
    // all four: 11 − 11 + full(4) 32 > 24; mlp50(4) 18 ≤ 24
    assertEquals("full-mlp50", policy.decide(on("full-mlp25", 11, 4), 30, compatible, rows, 4));
    // target 42 (33.6 with margin): all four fit on full (32), one alone does too (30)
    assertEquals("full", policy.decide(on("full-mlp25", 11, 4), 42, compatible, rows, 4));
    // a batch of one moving is the single-row case
    assertEquals(
        policy.decide(on("full-mlp25", 9, 4), 20, compatible, Map.of("full-mlp25", 1)),
        policy.decide(on("full-mlp25", 9, 4), 20, compatible, Map.of("full-mlp25", 1), 5));
  }

  @Test
  void slowerThanProfiledScalesThePrediction() {
    // alone on mlp25, profiled 8 ms but observed 16 (twice): full would take 40 by the same factor,
    // not 28
    assertEquals(
        "full-mlp50",
        policy.decide(on("full-mlp25", 16, 4), 40, compatible, Map.of("full-mlp25", 1)));
    assertEquals(
        "full", policy.decide(on("full-mlp25", 16, 4), 50, compatible, Map.of("full-mlp25", 1)));
  }

  @Test
  void hysteresis() {
    assertNull(
        policy.decide(on("full", 40, 1), 15, compatible, Map.of("full", 1)),
        "too few tokens observed");
    assertEquals(
        "full-mlp25",
        policy.decide(on("full", 40, 2), 15, compatible, Map.of("full", 1)),
        "a step down comes sooner");
    assertNull(
        policy.decide(on("full-mlp25", 9, 3), 30, compatible, Map.of("full-mlp25", 1)),
        "than a step up");
    assertNull(
        policy.decide(on("full", Double.NaN, 9), 15, compatible, Map.of("full", 1)),
        "nothing observed");
    // after one step down, no step up for 8 tokens; after two, for 16
    TokenSwitchPolicy.State held = new TokenSwitchPolicy.State("full-mlp25", 9, 4, 7, 1);
    assertNull(policy.decide(held, 30, compatible, Map.of("full-mlp25", 1)));
    TokenSwitchPolicy.State released = new TokenSwitchPolicy.State("full-mlp25", 9, 8, 8, 1);
    assertEquals("full", policy.decide(released, 30, compatible, Map.of("full-mlp25", 1)));
    TokenSwitchPolicy.State twice = new TokenSwitchPolicy.State("full-mlp25", 9, 8, 15, 2);
    assertNull(policy.decide(twice, 30, compatible, Map.of("full-mlp25", 1)));
    // a step down is never held back
    TokenSwitchPolicy.State behind = new TokenSwitchPolicy.State("full", 21, 4, 0, 5);
    assertEquals("full-mlp50", policy.decide(behind, 15, compatible, Map.of("full", 1)));
  }

  @Test
  void onTargetStays() {
    assertNull(policy.decide(on("full", 19, 10), 20, compatible, Map.of("full", 1)));
    assertNull(
        policy.decide(on("full", 1, 10), 20, List.of(full), Map.of("full", 1)),
        "nothing compatible");
  }
}
