package io.flexserve.router.batch;

import static io.flexserve.router.batch.LinearMenu.FULL;
import static io.flexserve.router.batch.LinearMenu.MID;
import static io.flexserve.router.batch.LinearMenu.NO_LIMITS;
import static io.flexserve.router.batch.LinearMenu.SMALL;
import static io.flexserve.router.batch.LinearMenu.menu;
import static io.flexserve.router.batch.LinearMenu.targeted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtherPoliciesTest {
  private static Batch next(String policy, List<Pending> queue) {
    return BatchPolicies.byName(policy)
        .next(queue, 0, 0, menu(), LatencyPredictor.PROFILE, NO_LIMITS);
  }

  @Test
  void greedy_neverBatchesTargeted_andPicksMostAccurateWithinSlack() {
    Batch b = next(BatchPolicies.GREEDY, List.of(targeted(1, 7), targeted(2, 7), targeted(3, 7)));
    assertEquals(MID, b.subnet().name());
    assertEquals(1, b.requests().size());
  }

  @Test
  void greedy_lateHead_runsOnFastest() {
    assertEquals(SMALL, next(BatchPolicies.GREEDY, List.of(targeted(1, 1))).subnet().name());
  }

  @Test
  void alwaysLargest_ignoresSlack_andBatchesEverything() {
    Batch b =
        next(BatchPolicies.ALWAYS_LARGEST, List.of(targeted(1, 1), targeted(2, 1), targeted(3, 1)));
    assertEquals(FULL, b.subnet().name());
    assertEquals(3, b.requests().size());
  }

  @Test
  void alwaysSmallest_usesTheSmallest() {
    assertEquals(
        SMALL, next(BatchPolicies.ALWAYS_SMALLEST, List.of(targeted(1, 500))).subnet().name());
  }

  @Test
  void byName_unknown_listsTheValidNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BatchPolicies.byName("fastest-ever"));
    assertTrue(e.getMessage().contains("slackfit") && e.getMessage().contains("greedy"));
  }

  @Test
  void fastest_dependsOnInputSize_whenCurvesCross_andTiesGoToTheMoreAccurate() {
    // "flat": 5 ms fixed overhead but scales better than small (3 ms at 100 tokens, 12 at 1000)
    ModelMenu crossing =
        ModelMenu.of(
            List.of(
                LinearMenu.subnet(FULL, 1.0, 1.0, 10, 46),
                LinearMenu.subnet(SMALL, 0.25, 0.7, 3, 12),
                LinearMenu.subnet("flat", 0.2, 0.5, 5, 6)));
    assertEquals(SMALL, Plans.fastest(crossing, LatencyPredictor.PROFILE, 100).name());
    assertEquals("flat", Plans.fastest(crossing, LatencyPredictor.PROFILE, 1000).name());
    assertEquals(FULL, Plans.fastest(menu(), (s, t) -> 5, 100).name());
  }

  @Test
  void pendingOrder_isDeadlineThenAdmission_untargetedAfterPatience() {
    List<Pending> sorted =
        new java.util.ArrayList<>(
            List.of(LinearMenu.untargeted(1), targeted(3, 50), targeted(2, 50), targeted(4, 2000)));
    sorted.sort(Pending::byDeadline);
    assertEquals(List.of(2L, 3L, 1L, 4L), sorted.stream().map(Pending::id).toList());
  }
}
