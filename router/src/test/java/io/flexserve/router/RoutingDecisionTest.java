package io.flexserve.router;

import static io.flexserve.router.MenuFixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flexserve.router.RoutingDecision.Rejected;
import io.flexserve.router.RoutingDecision.Routed;
import org.junit.jupiter.api.Test;

class RoutingDecisionTest {

    private static final SubnetProfile SUBNET = subnet("s", 0.5, 0.9, 4, 8);

    @Test
    void routed_expectedTotal_isQueueWaitPlusPredicted() {
        assertEquals(7.5, new Routed(SUBNET, 4.5, 3, true, "r").expectedTotalMillis());
    }

    @Test
    void routed_negativeOrNanTimes_throw() {
        assertThrows(IllegalArgumentException.class, () -> new Routed(SUBNET, -1, 0, true, "r"));
        assertThrows(IllegalArgumentException.class, () -> new Routed(SUBNET, 1, Double.NaN, true, "r"));
    }

    @Test
    void routed_nullSubnetOrReason_throwsNpe() {
        assertThrows(NullPointerException.class, () -> new Routed(null, 1, 0, true, "r"));
        assertThrows(NullPointerException.class, () -> new Routed(SUBNET, 1, 0, true, null));
    }

    @Test
    void rejected_negativeOrInfiniteRetryAfter_throws() {
        assertThrows(IllegalArgumentException.class,
                () -> new Rejected(Rejected.Reason.UNSATISFIABLE_TARGET, "m", -1));
        assertThrows(IllegalArgumentException.class,
                () -> new Rejected(Rejected.Reason.UNSATISFIABLE_TARGET, "m", Double.POSITIVE_INFINITY));
    }

    @Test
    void rejected_nullReasonOrMessage_throwsNpe() {
        assertThrows(NullPointerException.class, () -> new Rejected(null, "m", 0));
        assertThrows(NullPointerException.class, () -> new Rejected(Rejected.Reason.UNKNOWN_SUBNET, null, 0));
    }
}
