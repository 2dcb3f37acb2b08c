package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingPoliciesTest {

    @Test
    void names_listsAllPoliciesDefaultFirst() {
        assertEquals(List.of("most-accurate-within-target", "always-largest", "always-smallest"),
                RoutingPolicies.names());
    }

    @Test
    void byName_eachName_returnsThatPolicy() {
        assertSame(RoutingPolicies.mostAccurateWithinTarget(), RoutingPolicies.byName("most-accurate-within-target"));
        assertSame(RoutingPolicies.alwaysLargest(), RoutingPolicies.byName("always-largest"));
        assertSame(RoutingPolicies.alwaysSmallest(), RoutingPolicies.byName("always-smallest"));
    }

    @Test
    void byName_ignoresCaseAndPadding() {
        assertSame(RoutingPolicies.alwaysLargest(), RoutingPolicies.byName("  Always-Largest "));
    }

    @Test
    void byName_nullOrBlank_returnsDefault() {
        assertSame(RoutingPolicies.mostAccurateWithinTarget(), RoutingPolicies.defaultPolicy());
        assertSame(RoutingPolicies.defaultPolicy(), RoutingPolicies.byName(null));
        assertSame(RoutingPolicies.defaultPolicy(), RoutingPolicies.byName(" "));
    }

    @Test
    void byName_unknown_throwsListingValidNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> RoutingPolicies.byName("random"));
        assertEquals("unknown routing policy 'random'; valid policies: "
                + "most-accurate-within-target, always-largest, always-smallest", e.getMessage());
    }

    @Test
    void name_matchesNameConstants() {
        assertEquals(RoutingPolicies.MOST_ACCURATE_WITHIN_TARGET, RoutingPolicies.mostAccurateWithinTarget().name());
        assertEquals(RoutingPolicies.ALWAYS_LARGEST, RoutingPolicies.alwaysLargest().name());
        assertEquals(RoutingPolicies.ALWAYS_SMALLEST, RoutingPolicies.alwaysSmallest().name());
    }

    @Test
    void byName_roundTripsEveryPolicyName() {
        for (String name : RoutingPolicies.names()) {
            assertEquals(name, RoutingPolicies.byName(name).name());
        }
        assertTrue(RoutingPolicies.names().contains(RoutingPolicies.defaultPolicy().name()));
    }
}
