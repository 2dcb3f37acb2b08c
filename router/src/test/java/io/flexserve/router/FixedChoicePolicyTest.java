package io.flexserve.router;

import static io.flexserve.router.MenuFixtures.FULL;
import static io.flexserve.router.MenuFixtures.SMALL;
import static io.flexserve.router.MenuFixtures.menu;
import static io.flexserve.router.MenuFixtures.noTarget;
import static io.flexserve.router.MenuFixtures.rejected;
import static io.flexserve.router.MenuFixtures.routed;
import static io.flexserve.router.MenuFixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.RoutingDecision.Rejected;
import io.flexserve.router.RoutingDecision.Routed;
import org.junit.jupiter.api.Test;

class FixedChoicePolicyTest {

    private final RoutingPolicy largest = RoutingPolicies.alwaysLargest();
    private final RoutingPolicy smallest = RoutingPolicies.alwaysSmallest();
    private final ModelMenu menu = menu();

    @Test
    void alwaysLargest_noTarget_runsFull() {
        Routed decision = routed(largest.route(noTarget(256), menu));
        assertEquals(new Routed(menu.find(FULL).orElseThrow(), 18, 0, true, "always-largest, no target"), decision);
    }

    @Test
    void alwaysLargest_looseTarget_runsFullExpectingToMeet() {
        Routed decision = routed(largest.route(target(128, 50), menu));
        assertEquals(new Routed(menu.find(FULL).orElseThrow(), 10, 0, true, "always-largest within 50.0 ms target"),
                decision);
    }

    @Test
    void alwaysLargest_tightTargetBestEffort_stillRunsFullButReportsMiss() {
        Routed decision = routed(largest.route(target(128, 5), menu));
        assertEquals(new Routed(menu.find(FULL).orElseThrow(), 10, 0, false, "target unreachable: always-largest"),
                decision);
    }

    @Test
    void alwaysLargest_tightTargetStrict_rejectsWithOwnShortfall() {
        Rejected decision = rejected(largest.route(target(128, 5, 0.5, DeadlinePolicy.STRICT), menu));
        assertEquals(Rejected.Reason.UNSATISFIABLE_TARGET, decision.reason());
        // full: 0.5 + 10 - 5 = 5.5 ms short, rounded up.
        assertEquals(6.0, decision.retryAfterMillis());
        assertTrue(decision.message().contains("always-largest subnet 'full'"), decision.message());
    }

    @Test
    void alwaysSmallest_looseTarget_ignoresHeadroomAndRunsSmall() {
        Routed decision = routed(smallest.route(target(128, 100), menu));
        assertEquals(SMALL, decision.subnet().name());
        assertEquals(3.0, decision.predictedMillis());
        assertTrue(decision.expectedToMeetTarget());
        assertEquals("always-smallest within 100.0 ms target", decision.reason());
    }

    @Test
    void alwaysSmallest_noTarget_runsSmall() {
        assertEquals(SMALL, routed(smallest.route(noTarget(128), menu)).subnet().name());
    }

    @Test
    void alwaysSmallest_missedTargetBestEffort_reportsMiss() {
        Routed decision = routed(smallest.route(target(512, 8), menu));
        assertEquals(new Routed(menu.find(SMALL).orElseThrow(), 9, 0, false, "target unreachable: always-smallest"),
                decision);
    }

    @Test
    void alwaysSmallest_missedTargetStrict_rejects() {
        Rejected decision = rejected(smallest.route(target(512, 8, 0, DeadlinePolicy.STRICT), menu));
        assertEquals(Rejected.Reason.UNSATISFIABLE_TARGET, decision.reason());
        assertEquals(1.0, decision.retryAfterMillis());
    }

    @Test
    void alwaysSmallest_queueWaitCountsTowardTarget() {
        Routed decision = routed(smallest.route(target(128, 10, 7.5, DeadlinePolicy.BEST_EFFORT), menu));
        assertEquals(SMALL, decision.subnet().name());
        assertEquals(10.5, decision.expectedTotalMillis());
        assertEquals(false, decision.expectedToMeetTarget());
    }
}
