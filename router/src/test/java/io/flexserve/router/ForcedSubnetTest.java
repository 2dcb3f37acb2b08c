package io.flexserve.router;

import static io.flexserve.router.MenuFixtures.FULL;
import static io.flexserve.router.MenuFixtures.MLP75;
import static io.flexserve.router.MenuFixtures.SMALL;
import static io.flexserve.router.MenuFixtures.forced;
import static io.flexserve.router.MenuFixtures.menu;
import static io.flexserve.router.MenuFixtures.rejected;
import static io.flexserve.router.MenuFixtures.routed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.RoutingDecision.Rejected;
import io.flexserve.router.RoutingDecision.Routed;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** X-Subnet behaves the same under every policy. */
class ForcedSubnetTest {

    private static final List<RoutingPolicy> POLICIES = List.of(
            RoutingPolicies.mostAccurateWithinTarget(), RoutingPolicies.alwaysLargest(), RoutingPolicies.alwaysSmallest());

    private final ModelMenu menu = menu();

    @Test
    void route_forcedKnownSubnetNoTarget_runsItUnderEveryPolicy() {
        Routed expected = new Routed(menu.find(MLP75).orElseThrow(), 8, 0, true, "forced by X-Subnet");
        for (RoutingPolicy policy : POLICIES) {
            assertEquals(expected,
                    policy.route(forced(128, MLP75, OptionalDouble.empty(), DeadlinePolicy.BEST_EFFORT), menu),
                    policy.name());
        }
    }

    @Test
    void route_forcedSubnetMeetingTarget_reportsMeet() {
        for (RoutingPolicy policy : POLICIES) {
            Routed decision = routed(
                    policy.route(forced(128, SMALL, OptionalDouble.of(3), DeadlinePolicy.STRICT), menu));
            assertEquals(SMALL, decision.subnet().name(), policy.name());
            assertTrue(decision.expectedToMeetTarget(), policy.name());
        }
    }

    @Test
    void route_forcedSubnetMissingStrictTarget_stillRunsAndReportsMiss() {
        for (RoutingPolicy policy : POLICIES) {
            Routed decision = routed(
                    policy.route(forced(128, FULL, OptionalDouble.of(5), DeadlinePolicy.STRICT), menu));
            assertEquals(FULL, decision.subnet().name(), policy.name());
            assertEquals(10.0, decision.predictedMillis(), policy.name());
            assertFalse(decision.expectedToMeetTarget(), policy.name());
            assertEquals("forced by X-Subnet", decision.reason(), policy.name());
        }
    }

    @Test
    void route_forcedUnknownSubnet_rejectsListingValidNames() {
        for (RoutingPolicy policy : POLICIES) {
            Rejected decision = rejected(
                    policy.route(forced(128, "huge", OptionalDouble.of(50), DeadlinePolicy.BEST_EFFORT), menu));
            assertEquals(Rejected.Reason.UNKNOWN_SUBNET, decision.reason(), policy.name());
            assertEquals(0.0, decision.retryAfterMillis(), policy.name());
            assertEquals("unknown subnet 'huge'; valid subnets: full, mlp75, mlp50-h75, small", decision.message(),
                    policy.name());
        }
    }

    @Test
    void route_forcedNameInWrongCase_isUnknown() {
        Rejected decision = rejected(RoutingPolicies.mostAccurateWithinTarget()
                .route(forced(128, "FULL", OptionalDouble.empty(), DeadlinePolicy.BEST_EFFORT), menu));
        assertEquals(Rejected.Reason.UNKNOWN_SUBNET, decision.reason());
    }
}
