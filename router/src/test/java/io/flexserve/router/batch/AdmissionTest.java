package io.flexserve.router.batch;

import static io.flexserve.router.batch.LinearMenu.NO_LIMITS;
import static io.flexserve.router.batch.LinearMenu.menu;
import static io.flexserve.router.batch.LinearMenu.targeted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyPredictor;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static Admission.Verdict decide(Pending p, DeadlinePolicy policy, double backlog) {
        return Admission.decide(p, policy, backlog, menu(), LatencyPredictor.PROFILE);
    }

    @Test
    void noTarget_isAdmitted_evenWithBacklog() {
        assertEquals(new Admission.Admit(false), decide(LinearMenu.untargeted(1), DeadlinePolicy.STRICT, 1e6));
    }

    @Test
    void unknownForcedSubnet_isRejected() {
        Admission.Reject r = assertInstanceOf(Admission.Reject.class,
                decide(LinearMenu.forced(1, "huge", OptionalDouble.empty()), DeadlinePolicy.BEST_EFFORT, 0));
        assertEquals(Admission.Reason.UNKNOWN_SUBNET, r.reason());
        assertTrue(r.message().contains("full"));
    }

    @Test
    void targetBelowFastestIdle_strictRejects_bestEffortAdmitsAsLate() {
        Admission.Reject r = assertInstanceOf(Admission.Reject.class, decide(targeted(1, 2), DeadlinePolicy.STRICT, 0));
        assertEquals(Admission.Reason.UNSATISFIABLE_TARGET, r.reason());
        assertEquals(new Admission.Admit(true), decide(targeted(1, 2), DeadlinePolicy.BEST_EFFORT, 0));
    }

    @Test
    void lateAnywayBestEffort_isRefusedWhenALongQueueIsAhead() {
        Admission.Reject r = assertInstanceOf(Admission.Reject.class, decide(targeted(1, 2), DeadlinePolicy.BEST_EFFORT, 50));
        assertEquals(Admission.Reason.OVERLOADED, r.reason());
        assertEquals(new Admission.Admit(true), decide(targeted(1, 2), DeadlinePolicy.BEST_EFFORT, 1.5));
    }

    @Test
    void backlogMakesItLate_rejectedAsOverloaded_forEitherPolicy_withRetryHint() {
        for (DeadlinePolicy policy : DeadlinePolicy.values()) {
            Admission.Reject r = assertInstanceOf(Admission.Reject.class, decide(targeted(1, 10), policy, 8.5));
            assertEquals(Admission.Reason.OVERLOADED, r.reason());
            assertEquals(2, r.retryAfterMillis(), 1e-9); // 8.5 + 3 − 10 = 1.5 → 2
        }
    }

    @Test
    void fitsWithBacklog_isAdmitted() {
        assertEquals(new Admission.Admit(false), decide(targeted(1, 10), DeadlinePolicy.STRICT, 7));
    }

    @Test
    void backlog_countsRunningWork_andEarlierDeadlinesOnly_mergedWithinLimits_perWorker() {
        List<Pending> queue = List.of(targeted(1, 10), targeted(2, 10), targeted(3, 10), targeted(4, 99));
        // running 5 ms + requests 1..3 as runs of at most 2 inputs on small: (2+2) + (2+1) = 7 → 12 total
        double backlog = Admission.backlogMillis(queue, 10, List.of(5.0), 1, menu(), LatencyPredictor.PROFILE,
                new BatchLimits(2, 1_000_000));
        assertEquals(12, backlog, 1e-9);
        assertEquals(6, Admission.backlogMillis(queue, 10, List.of(5.0), 2, menu(), LatencyPredictor.PROFILE,
                new BatchLimits(2, 1_000_000)), 1e-9);
        assertEquals(0, Admission.backlogMillis(List.of(), 10, List.of(), 1, menu(), LatencyPredictor.PROFILE, NO_LIMITS));
    }
}
