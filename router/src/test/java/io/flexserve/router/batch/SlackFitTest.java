package io.flexserve.router.batch;

import static io.flexserve.router.batch.LinearMenu.FULL;
import static io.flexserve.router.batch.LinearMenu.MID;
import static io.flexserve.router.batch.LinearMenu.NO_LIMITS;
import static io.flexserve.router.batch.LinearMenu.SMALL;
import static io.flexserve.router.batch.LinearMenu.forced;
import static io.flexserve.router.batch.LinearMenu.menu;
import static io.flexserve.router.batch.LinearMenu.targeted;
import static io.flexserve.router.batch.LinearMenu.untargeted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.LatencyPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SlackFitTest {
  private final BatchPolicy slackfit = BatchPolicies.byName(BatchPolicies.SLACKFIT);

  private Batch next(List<Pending> queue, double now) {
    return slackfit.next(queue, now, 0, menu(), LatencyPredictor.PROFILE, NO_LIMITS);
  }

  @Test
  void emptyQueue_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> next(List.of(), 0));
  }

  @Test
  void oneRequest_ampleSlack_runsAloneOnFull() {
    Batch b = next(List.of(targeted(1, 20)), 0);
    assertEquals(FULL, b.subnet().name());
    assertEquals(1, b.requests().size());
    assertEquals(10, b.predictedMillis(), 1e-9);
  }

  @Test
  void oneRequest_slackBelowFull_takesTheMostAccurateThatFits() {
    assertEquals(MID, next(List.of(targeted(1, 7)), 0).subnet().name());
    assertEquals(SMALL, next(List.of(targeted(1, 5)), 0).subnet().name());
  }

  @Test
  void slackIsMeasuredFromNow_notFromAdmission() {
    assertEquals(MID, next(List.of(targeted(1, 20)), 13).subnet().name()); // 7 ms left
  }

  @Test
  void queueBuildsUp_batchGrows_withinHeadSlack_andProtectsTheFollower() {
    List<Pending> queue = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queue.add(targeted(i, 20));
    }
    // full b=3 takes 18 ms but leaves request 4 unable to finish by 20 even on small (18+3 > 20);
    // full b=2 (14 ms) and mid b=5 (14 ms) both fit and protect the follower; the tie goes to
    // quality.
    Batch b = next(queue, 0);
    assertEquals(FULL, b.subnet().name());
    assertEquals(2, b.requests().size());
    assertEquals(14, b.predictedMillis(), 1e-9);
  }

  @Test
  void manyUrgentRequests_moveToASmallerSubnetWithABiggerBatch() {
    List<Pending> queue = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      queue.add(targeted(i, 12));
    }
    // slack 12: full fits only b=1 (10 ms) and leaves 7 behind; mid b=4 (12 ms) or small b=8 (11
    // ms)...
    Batch b = next(queue, 0);
    assertTrue(b.predictedMillis() <= 12);
    assertTrue(b.requests().size() > 1, "under load the same slack should buy a batch, got " + b);
  }

  @Test
  void headAlreadyLate_runsAloneOnTheFastest() {
    Batch b = next(List.of(targeted(1, 2), targeted(2, 50)), 0);
    assertEquals(SMALL, b.subnet().name());
    assertEquals(1, b.requests().size());
    assertTrue(b.reason().contains("unreachable"));
  }

  @Test
  void lateRequests_runTogetherOnTheFastest_savableOnesWait() {
    // at t=10: requests 1–3 are past saving (even small alone needs 3 ms), request 4 can still make
    // 40
    List<Pending> queue = List.of(targeted(1, 5), targeted(2, 8), targeted(3, 12), targeted(4, 40));
    Batch b = next(queue, 10);
    assertEquals(SMALL, b.subnet().name());
    assertEquals(List.of(1L, 2L, 3L), b.requests().stream().map(Pending::id).toList());
  }

  @Test
  void untargetedHead_runsOnFull_withOtherUntargetedOnly() {
    Batch b = next(List.of(untargeted(1), targeted(2, 5000), untargeted(3)), 0);
    assertEquals(FULL, b.subnet().name());
    assertEquals(List.of(1L, 3L), b.requests().stream().map(Pending::id).toList());
  }

  @Test
  void forcedHead_runsOnItsSubnet_withTheSameForcedOnly() {
    Batch b =
        next(
            List.of(
                forced(1, SMALL, OptionalDouble.empty()),
                forced(2, MID, OptionalDouble.empty()),
                forced(3, SMALL, OptionalDouble.empty())),
            0);
    assertEquals(SMALL, b.subnet().name());
    assertEquals(List.of(1L, 3L), b.requests().stream().map(Pending::id).toList());
  }

  @Test
  void limits_capTheBatch() {
    List<Pending> queue = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      queue.add(targeted(i, 1000));
    }
    Batch b =
        slackfit.next(queue, 0, 0, menu(), LatencyPredictor.PROFILE, new BatchLimits(3, 1_000_000));
    assertEquals(3, b.requests().size());
    Batch byTokens =
        slackfit.next(queue, 0, 0, menu(), LatencyPredictor.PROFILE, new BatchLimits(100, 200));
    assertEquals(2, byTokens.requests().size());
  }

  @Test
  void equalLatencies_tieGoesToHigherQuality() {
    // with a predictor that makes every sub-network cost the same, the most accurate wins
    Batch b = slackfit.next(List.of(targeted(1, 20)), 0, 0, menu(), (s, t) -> 5, NO_LIMITS);
    assertEquals(FULL, b.subnet().name());
  }
}
