package io.flexserve.router;

import static io.flexserve.router.MenuFixtures.FULL;
import static io.flexserve.router.MenuFixtures.MLP50_H75;
import static io.flexserve.router.MenuFixtures.MLP75;
import static io.flexserve.router.MenuFixtures.SMALL;
import static io.flexserve.router.MenuFixtures.menu;
import static io.flexserve.router.MenuFixtures.noTarget;
import static io.flexserve.router.MenuFixtures.rejected;
import static io.flexserve.router.MenuFixtures.routed;
import static io.flexserve.router.MenuFixtures.subnet;
import static io.flexserve.router.MenuFixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.RoutingDecision.Rejected;
import io.flexserve.router.RoutingDecision.Routed;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MostAccurateWithinTargetTest {

    private final RoutingPolicy policy = new MostAccurateWithinTarget();
    private final ModelMenu menu = menu();

    private String chosen(RoutingRequest request) {
        return routed(policy.route(request, menu)).subnet().name();
    }

    @Test
    void route_noTarget_picksFullModel() {
        Routed decision = routed(policy.route(noTarget(128), menu));
        assertEquals(new Routed(menu.best(), 10, 0, true, "no target: most accurate"), decision);
    }

    @Test
    void route_noTargetWithQueueWait_stillPicksFullAndExpectsToMeet() {
        Routed decision = routed(policy.route(noTarget(512, 250), menu));
        assertEquals(FULL, decision.subnet().name());
        assertEquals(34.0, decision.predictedMillis());
        assertEquals(250.0, decision.queueWaitMillis());
        assertTrue(decision.expectedToMeetTarget());
    }

    @Test
    void route_looseTarget_picksFullModel() {
        Routed decision = routed(policy.route(target(128, 100), menu));
        assertEquals(new Routed(menu.best(), 10, 0, true, "most accurate within 100.0 ms target"), decision);
    }

    @Test
    void route_targetExactlyFullLatency_picksFull() {
        assertEquals(FULL, chosen(target(128, 10)));
    }

    @Test
    void route_targetJustBelowFull_picksNextMostAccurate() {
        Routed decision = routed(policy.route(target(128, 9.99), menu));
        assertEquals(MLP75, decision.subnet().name());
        assertEquals(8.0, decision.predictedMillis());
        assertTrue(decision.expectedToMeetTarget());
        assertEquals("most accurate within 10.0 ms target", decision.reason());
    }

    @Test
    void route_tighterTargets_pickSmallerSubnets() {
        assertEquals(MLP50_H75, chosen(target(128, 7)));
        assertEquals(SMALL, chosen(target(128, 5.9)));
        assertEquals(SMALL, chosen(target(128, 3)));
    }

    @Test
    void route_queueWait_pushesChoiceDown() {
        // Alone, 10 ms admits full; 3 ms of queue leaves 7 ms, which only mlp50-h75 (6 ms) fits.
        assertEquals(FULL, chosen(target(128, 10, 0, DeadlinePolicy.BEST_EFFORT)));
        Routed decision = routed(policy.route(target(128, 10, 3, DeadlinePolicy.BEST_EFFORT), menu));
        assertEquals(MLP50_H75, decision.subnet().name());
        assertEquals(6.0, decision.predictedMillis());
        assertEquals(3.0, decision.queueWaitMillis());
        assertEquals(9.0, decision.expectedTotalMillis());
        assertTrue(decision.expectedToMeetTarget());
    }

    @Test
    void route_queueWaitAloneExceedsTarget_fallsBackToFastest() {
        Routed decision = routed(policy.route(target(128, 10, 12, DeadlinePolicy.BEST_EFFORT), menu));
        assertEquals(SMALL, decision.subnet().name());
        assertFalse(decision.expectedToMeetTarget());
    }

    @Test
    void route_biggerInputs_pushChoiceDown() {
        // At a 20 ms target: full fits 128 (10) and 256 (18); at 384 full needs 26 but mlp75 needs
        // exactly 20; at 512 mlp75 needs 26 and mlp50-h75 needs 18.
        List<String> choices = new ArrayList<>();
        for (int tokens : new int[] {128, 256, 384, 512}) {
            choices.add(chosen(target(tokens, 20)));
        }
        assertEquals(List.of(FULL, FULL, MLP75, MLP50_H75), choices);
    }

    @Test
    void route_beyondMeasuredSizes_usesExtrapolatedLatency() {
        // At 1024 tokens: full 66, mlp75 50, mlp50-h75 34, small 17.
        Routed decision = routed(policy.route(target(1024, 40), menu));
        assertEquals(MLP50_H75, decision.subnet().name());
        assertEquals(34.0, decision.predictedMillis());
    }

    @Test
    void route_bestEffortNothingFits_routesToFastestExpectingToMiss() {
        Routed decision = routed(policy.route(target(128, 2), menu));
        assertEquals(new Routed(menu.find(SMALL).orElseThrow(), 3, 0, false, "target unreachable: fastest"),
                decision);
    }

    @Test
    void route_bestEffortNothingFits_usesFastestForThisInputNotReferenceSize() {
        List<SubnetProfile> subnets = new ArrayList<>(menu.bestFirst());
        subnets.add(subnet("flat", 0.2, 0.5, 5, 6));
        ModelMenu crossing = ModelMenu.of(subnets);
        // flat: 5 ms at 128 (slower than small's 3), but 7.33 ms at 1024 against small's 17.
        Routed decision = routed(policy.route(target(1024, 1), crossing));
        assertEquals("flat", decision.subnet().name());
        assertEquals(5 + 896.0 / 384, decision.predictedMillis(), 1e-12);
        assertFalse(decision.expectedToMeetTarget());
        assertEquals(SMALL, routed(policy.route(target(128, 1), crossing)).subnet().name());
    }

    @Test
    void route_strictNothingFits_rejectsWithRetryAfterOfTheShortfall() {
        Rejected decision = rejected(policy.route(target(128, 2, 0, DeadlinePolicy.STRICT), menu));
        assertEquals(Rejected.Reason.UNSATISFIABLE_TARGET, decision.reason());
        assertEquals(1.0, decision.retryAfterMillis());
        assertTrue(decision.message().contains("latency target 2.0 ms unreachable: best achievable is 3.0 ms"),
                decision.message());
        assertTrue(decision.message().contains("'small'"), decision.message());
        assertTrue(decision.message().contains("even with an empty queue"), decision.message());
    }

    @Test
    void route_strictMissedBecauseOfQueue_retryAfterRoundsShortfallUp() {
        // small: 5.5 ms queue + 3 ms inference = 8.5 ms against a 4 ms target: 4.5 ms short.
        Rejected decision = rejected(policy.route(target(128, 4, 5.5, DeadlinePolicy.STRICT), menu));
        assertEquals(Rejected.Reason.UNSATISFIABLE_TARGET, decision.reason());
        assertEquals(5.0, decision.retryAfterMillis());
        assertTrue(decision.message().contains("best achievable is 8.5 ms"), decision.message());
        assertTrue(decision.message().contains("drain by 4.5 ms"), decision.message());
    }

    @Test
    void route_strictTinyShortfall_retryAfterIsAtLeastOneMillisecond() {
        Rejected decision = rejected(policy.route(target(128, 2.999, 0, DeadlinePolicy.STRICT), menu));
        assertEquals(1.0, decision.retryAfterMillis());
    }

    @Test
    void route_strictSomethingFits_routesNormally() {
        Routed decision = routed(policy.route(target(128, 7, 0, DeadlinePolicy.STRICT), menu));
        assertEquals(MLP50_H75, decision.subnet().name());
        assertTrue(decision.expectedToMeetTarget());
    }

    @Test
    void route_sameArguments_sameDecision() {
        RoutingRequest request = target(384, 21, 1.5, DeadlinePolicy.BEST_EFFORT);
        assertEquals(policy.route(request, menu), policy.route(request, menu));
    }

    @Test
    void route_nullArguments_throwNpe() {
        assertThrows(NullPointerException.class, () -> policy.route(null, menu));
        assertThrows(NullPointerException.class, () -> policy.route(noTarget(8), null));
    }

    @Test
    void name_isConfigurationName() {
        assertEquals("most-accurate-within-target", policy.name());
    }
}
