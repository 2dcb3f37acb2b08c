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
import java.util.List;
import org.junit.jupiter.api.Test;

class OtherPoliciesTest {
    private static Batch next(String policy, List<Pending> queue) {
        return BatchPolicies.byName(policy).next(queue, 0, 0, menu(), LatencyPredictor.PROFILE, NO_LIMITS);
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
        Batch b = next(BatchPolicies.ALWAYS_LARGEST, List.of(targeted(1, 1), targeted(2, 1), targeted(3, 1)));
        assertEquals(FULL, b.subnet().name());
        assertEquals(3, b.requests().size());
    }

    @Test
    void alwaysSmallest_usesTheSmallest() {
        assertEquals(SMALL, next(BatchPolicies.ALWAYS_SMALLEST, List.of(targeted(1, 500))).subnet().name());
    }

    @Test
    void byName_unknown_listsTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchPolicies.byName("fastest-ever"));
        assertTrue(e.getMessage().contains("slackfit") && e.getMessage().contains("greedy"));
    }

    @Test
    void pendingOrder_isDeadlineThenAdmission_untargetedAfterPatience() {
        List<Pending> sorted = new java.util.ArrayList<>(List.of(LinearMenu.untargeted(1), targeted(3, 50), targeted(2, 50),
                targeted(4, 2000)));
        sorted.sort(Pending::byDeadline);
        assertEquals(List.of(2L, 3L, 1L, 4L), sorted.stream().map(Pending::id).toList());
    }
}
