package io.flexserve.router.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwitchPlannerTest {
  // full 20 ms/step (+4 per extra row), full-mlp50 12 ms (+2), full-mlp25 8 ms (+1), all sharing a
  // KV layout; most accurate first (the profiles of TokenSwitchPolicyTest)
  static final DecoderProfile FULL = new DecoderProfile("full", 1, 20, 4, 5.0);
  static final DecoderProfile HALF = new DecoderProfile("full-mlp50", 0.6, 12, 2, 6.0);
  static final DecoderProfile QUARTER = new DecoderProfile("full-mlp25", 0.4, 8, 1, 8.0);
  static final List<DecoderProfile> ALL = List.of(FULL, HALF, QUARTER);
  static final long NOW = 0;

  final SwitchPlanner planner = new SwitchPlanner(TokenSwitchPolicy.DEFAULT);

  /** A row with a TPOT target that arrived at {@link #NOW}, 4 tokens seen at {@code recentMs}. */
  static SwitchPlanner.Row row(long id, double tpotTargetMs, double recentMs) {
    return row(id, new GenerationTargets(null, null, tpotTargetMs), recentMs, false, false);
  }

  static SwitchPlanner.Row row(
      long id, GenerationTargets targets, double recentMs, boolean pinned, boolean cancelled) {
    return new SwitchPlanner.Row(
        id, pinned, cancelled, targets, NOW, 100, ALL, recentMs, 4, Integer.MAX_VALUE, 0);
  }

  /** The three batches in menu order, with the given rows. */
  static List<SwitchPlanner.Batch> batches(
      List<SwitchPlanner.Row> full, List<SwitchPlanner.Row> half, List<SwitchPlanner.Row> quarter) {
    return List.of(
        new SwitchPlanner.Batch(FULL, full),
        new SwitchPlanner.Batch(HALF, half),
        new SwitchPlanner.Batch(QUARTER, quarter));
  }

  static SwitchPlan.Move down(long row, String from, String to) {
    return new SwitchPlan.Move(row, from, to, true);
  }

  static SwitchPlan.Move up(long row, String from, String to) {
    return new SwitchPlan.Move(row, from, to, false);
  }

  @Test
  void plan_rowOverItsTarget_movesDownToTheMostAccurateFasterCompatible() {
    // alone on full at 21 ms, target 15: mlp50 predicts 13
    assertEquals(
        List.of(down(1, "full", "full-mlp50")),
        planner.plan(batches(List.of(row(1, 15, 21)), List.of(), List.of()), NOW).moves());
  }

  @Test
  void plan_rowOverItsTarget_movesOnlyWhereItsCacheIsValid() {
    // mlp50 does not share this row's KV layout (or EoRA rank): the step down is to mlp25
    SwitchPlanner.Row row =
        new SwitchPlanner.Row(
            1,
            false,
            false,
            new GenerationTargets(null, null, 15.0),
            NOW,
            100,
            List.of(FULL, QUARTER),
            21,
            4,
            Integer.MAX_VALUE,
            0);
    assertEquals(
        List.of(down(1, "full", "full-mlp25")),
        planner.plan(batches(List.of(row), List.of(), List.of()), NOW).moves());
  }

  @Test
  void plan_rowComfortablyAhead_movesBackUp() {
    // alone on mlp25 at 9 ms, target 30: full predicts 21 ≤ 0.8 × 30
    assertEquals(
        List.of(up(1, "full-mlp25", "full")),
        planner.plan(batches(List.of(), List.of(), List.of(row(1, 30, 9))), NOW).moves());
  }

  @Test
  void plan_rowOnTarget_stays() {
    assertEquals(
        SwitchPlan.NONE, planner.plan(batches(List.of(row(1, 20, 19)), List.of(), List.of()), NOW));
  }

  @Test
  void plan_pinnedRow_neverMoves() {
    GenerationTargets tight = new GenerationTargets(null, null, 1.0);
    GenerationTargets loose = new GenerationTargets(null, null, 1000.0);
    assertEquals(
        SwitchPlan.NONE,
        planner.plan(batches(List.of(row(1, tight, 21, true, false)), List.of(), List.of()), NOW),
        "far behind, but X-Subnet pinned it");
    assertEquals(
        SwitchPlan.NONE,
        planner.plan(batches(List.of(), List.of(), List.of(row(1, loose, 9, true, false))), NOW),
        "far ahead, but X-Subnet pinned it");
  }

  @Test
  void plan_rowWithoutAPace_neverMoves() {
    assertEquals(
        SwitchPlan.NONE,
        planner.plan(
            batches(
                List.of(row(1, new GenerationTargets(null, 5.0, null), 21, false, false)),
                List.of(),
                List.of(row(2, GenerationTargets.NONE, 9, false, false))),
            NOW),
        "a TTFT target alone, or none, sets no pace per token");
  }

  @Test
  void plan_totalTarget_pacesTheRowByWhatItLeavesPerToken() {
    // 1000 ms in all, 900 ms gone, 10 tokens left: 10 ms per token. Alone on full at 21 ms, mlp50
    // predicts 13 (too slow), mlp25 9
    SwitchPlanner.Row row =
        new SwitchPlanner.Row(
            1,
            false,
            false,
            new GenerationTargets(1000.0, null, null),
            0,
            10,
            ALL,
            21,
            4,
            Integer.MAX_VALUE,
            0);
    long now = 900_000_000L;
    assertEquals(10, row.tpotTargetMs(now), 1e-9);
    assertEquals(
        List.of(down(1, "full", "full-mlp25")),
        planner.plan(batches(List.of(row), List.of(), List.of()), now).moves());
  }

  @Test
  void plan_batchWhoseRowsAllAgree_movesAsAWhole() {
    // four rows on mlp25 (11 ms step), observed 11, target 42 (33.6 with margin): together they
    // predict 32 on full
    List<SwitchPlanner.Row> four =
        List.of(row(1, 42, 11), row(2, 42, 11), row(3, 42, 11), row(4, 42, 11));
    assertEquals(
        List.of(
            up(1, "full-mlp25", "full"),
            up(2, "full-mlp25", "full"),
            up(3, "full-mlp25", "full"),
            up(4, "full-mlp25", "full")),
        planner.plan(batches(List.of(), List.of(), four), NOW).moves());
  }

  @Test
  void plan_cancelledRow_staysAndKeepsItsBatchFromMovingAsAWhole() {
    // as above, but row 1's client went away: the others are judged alone, and only one steps up
    List<SwitchPlanner.Row> four =
        List.of(
            row(1, new GenerationTargets(null, null, 42.0), 11, false, true),
            row(2, 42, 11),
            row(3, 42, 11),
            row(4, 42, 11));
    assertEquals(
        List.of(up(2, "full-mlp25", "full")),
        planner.plan(batches(List.of(), List.of(), four), NOW).moves());
  }

  @Test
  void plan_oneRowBehind_takesItsWholeBatchDown() {
    // two rows on full (24 ms step), observed 26. Row 1 (target 20) is behind: together, mlp50
    // predicts about 15. Row 2 (target 100) is fine where it is, but a split batch pays two steps
    assertEquals(
        List.of(down(1, "full", "full-mlp50"), down(2, "full", "full-mlp50")),
        planner
            .plan(batches(List.of(row(1, 20, 26), row(2, 100, 26)), List.of(), List.of()), NOW)
            .moves());
  }

  @Test
  void plan_rowsWantingDifferentStepDowns_allTakeTheQuickest() {
    // as above, but row 2's target of 12 needs mlp25 (about 10 ms together; mlp50 about 15)
    assertEquals(
        List.of(down(1, "full", "full-mlp25"), down(2, "full", "full-mlp25")),
        planner
            .plan(batches(List.of(row(1, 20, 26), row(2, 12, 26)), List.of(), List.of()), NOW)
            .moves());
  }

  @Test
  void plan_atMostOneRowStepsUpAlonePerIteration() {
    // one row alone on mlp50 and one alone on mlp25, both far ahead: each would step up to full,
    // but each prediction assumed the other stays, so only the first (menu order) moves now
    assertEquals(
        List.of(up(1, "full-mlp50", "full")),
        planner
            .plan(batches(List.of(), List.of(row(1, 1000, 20)), List.of(row(2, 1000, 20))), NOW)
            .moves());
  }

  @Test
  void plan_rowMovesAtMostOncePerIteration_andStepDownsAreNotLimited() {
    // a rule that always steps one sub-network down (menu order)
    SwitchRule alwaysDown =
        (state, target, compatible, rows, moving) -> {
          List<String> names = compatible.stream().map(DecoderProfile::name).toList();
          int at = names.indexOf(state.subnet());
          return at + 1 < names.size() ? names.get(at + 1) : null;
        };
    // row 1 moves from full into mlp50's batch, which is judged next: row 2 goes on down to mlp25,
    // row 1 does not move a second time
    assertEquals(
        List.of(down(1, "full", "full-mlp50"), down(2, "full-mlp50", "full-mlp25")),
        new SwitchPlanner(alwaysDown)
            .plan(batches(List.of(row(1, 1, 40)), List.of(row(2, 1, 40)), List.of()), NOW)
            .moves());
  }

  @Test
  void plan_laterDecisionsSeeEarlierMovesInTheRowCounts() {
    java.util.List<java.util.Map<String, Integer>> seen = new java.util.ArrayList<>();
    SwitchRule recording =
        (state, target, compatible, rows, moving) -> {
          seen.add(rows);
          return state.subnet().equals("full") ? "full-mlp25" : null;
        };
    new SwitchPlanner(recording)
        .plan(batches(List.of(row(1, 1, 40)), List.of(row(2, 1, 40)), List.of()), NOW);
    assertEquals(
        List.of(
            java.util.Map.of("full", 1, "full-mlp50", 1, "full-mlp25", 0),
            java.util.Map.of("full", 0, "full-mlp50", 1, "full-mlp25", 1)),
        seen);
  }
}
