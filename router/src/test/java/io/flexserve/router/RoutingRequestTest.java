package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RoutingRequestTest {

    private static RoutingRequest request(int tokens, OptionalDouble target, Optional<String> forced, double queue) {
        return new RoutingRequest(tokens, target, forced, DeadlinePolicy.STRICT, queue);
    }

    private static void assertRejected(String expectedInMessage, Executable construction) {
        var e = assertThrows(IllegalArgumentException.class, construction);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void unconstrained_hasNoTargetNoForcingBestEffortNoWait() {
        assertEquals(new RoutingRequest(64, OptionalDouble.empty(), Optional.empty(), DeadlinePolicy.BEST_EFFORT, 0),
                RoutingRequest.unconstrained(64));
    }

    @Test
    void new_nonPositiveTokens_throwsNamingValue() {
        assertRejected("got 0", () -> request(0, OptionalDouble.empty(), Optional.empty(), 0));
        assertRejected("got -128", () -> request(-128, OptionalDouble.empty(), Optional.empty(), 0));
    }

    @Test
    void new_nonPositiveOrNonFiniteTarget_throwsNamingValue() {
        assertRejected("got 0.0", () -> request(8, OptionalDouble.of(0), Optional.empty(), 0));
        assertRejected("got -5.0", () -> request(8, OptionalDouble.of(-5), Optional.empty(), 0));
        assertRejected("NaN", () -> request(8, OptionalDouble.of(Double.NaN), Optional.empty(), 0));
        assertRejected("Infinity", () -> request(8, OptionalDouble.of(Double.POSITIVE_INFINITY), Optional.empty(), 0));
    }

    @Test
    void new_negativeOrNanQueueWait_throwsNamingValue() {
        assertRejected("got -1.0", () -> request(8, OptionalDouble.empty(), Optional.empty(), -1));
        assertRejected("NaN", () -> request(8, OptionalDouble.empty(), Optional.empty(), Double.NaN));
    }

    @Test
    void new_blankForcedSubnet_throws() {
        assertRejected("blank", () -> request(8, OptionalDouble.empty(), Optional.of(" "), 0));
    }

    @Test
    void new_nullComponents_throwNpe() {
        assertThrows(NullPointerException.class,
                () -> new RoutingRequest(8, null, Optional.empty(), DeadlinePolicy.STRICT, 0));
        assertThrows(NullPointerException.class,
                () -> new RoutingRequest(8, OptionalDouble.empty(), null, DeadlinePolicy.STRICT, 0));
        assertThrows(NullPointerException.class,
                () -> new RoutingRequest(8, OptionalDouble.empty(), Optional.empty(), null, 0));
    }
}
