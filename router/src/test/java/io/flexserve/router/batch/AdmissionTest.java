package io.flexserve.router.batch;

import static io.flexserve.router.batch.LinearMenu.NO_LIMITS;
import static io.flexserve.router.batch.LinearMenu.menu;
import static io.flexserve.router.batch.LinearMenu.targeted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyPredictor;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Small sub-network (the fastest): 2 + b ms for b one-input 100-token requests. */
class AdmissionTest {
  private static Admission.Verdict decide(
      Pending p, DeadlinePolicy policy, List<Pending> queue, double... freeAt) {
    return Admission.decide(
        p,
        policy,
        queue,
        freeAt,
        0,
        menu(),
        LatencyPredictor.PROFILE,
        NO_LIMITS,
        Admission.Spread.OWN_RUN,
        0);
  }

  /** A best-effort candidate decided at time 0 against {@code queue}, with the given predictor. */
  private static Admission.Verdict decideAt0(
      Pending p,
      List<Pending> queue,
      double[] freeAt,
      LatencyPredictor latency,
      BatchLimits limits,
      Admission.Spread spread) {
    return decideAt0(p, queue, freeAt, latency, limits, spread, 0);
  }

  /** As above, with {@code allowance} ms of overload allowance. */
  private static Admission.Verdict decideAt0(
      Pending p,
      List<Pending> queue,
      double[] freeAt,
      LatencyPredictor latency,
      BatchLimits limits,
      Admission.Spread spread,
      double allowance) {
    return Admission.decide(
        p,
        DeadlinePolicy.BEST_EFFORT,
        queue,
        freeAt,
        0,
        menu(),
        latency,
        limits,
        spread,
        allowance);
  }

  @Test
  void noTarget_isAdmitted_evenBehindALongQueue() {
    assertEquals(
        new Admission.Admit(false),
        decide(LinearMenu.untargeted(1), DeadlinePolicy.STRICT, List.of(), 1e6));
  }

  @Test
  void unknownForcedSubnet_isRejected() {
    Admission.Reject r =
        assertInstanceOf(
            Admission.Reject.class,
            decide(
                LinearMenu.forced(1, "huge", OptionalDouble.empty()),
                DeadlinePolicy.BEST_EFFORT,
                List.of(),
                0));
    assertEquals(Admission.Reason.UNKNOWN_SUBNET, r.reason());
    assertTrue(r.message().contains("full"));
  }

  @Test
  void targetBelowFastestIdle_strictRejects_bestEffortAdmitsAsLate_butNotBehindALongQueue() {
    Admission.Reject r =
        assertInstanceOf(
            Admission.Reject.class, decide(targeted(1, 2), DeadlinePolicy.STRICT, List.of(), 0));
    assertEquals(Admission.Reason.UNSATISFIABLE_TARGET, r.reason());
    assertTrue(r.message().startsWith("latency target 2 ms"), r.message());
    Admission.Reject tiny =
        assertInstanceOf(
            Admission.Reject.class, decide(targeted(1, 0.01), DeadlinePolicy.STRICT, List.of(), 0));
    assertTrue(tiny.message().startsWith("latency target 0.01 ms"), tiny.message());
    assertEquals(
        new Admission.Admit(true),
        decide(targeted(1, 2), DeadlinePolicy.BEST_EFFORT, List.of(), 0));
    Admission.Reject queued =
        assertInstanceOf(
            Admission.Reject.class,
            decide(targeted(1, 2), DeadlinePolicy.BEST_EFFORT, List.of(), 50));
    assertEquals(Admission.Reason.OVERLOADED, queued.reason());
  }

  @Test
  void targetNearZero_bestEffort_waitsForAWorkerAboutToBeFree_notForAQueue() {
    // small takes 3 ms; a target of 0.001 ms is late on any server. A worker free in 0.5 ms is no
    // queue worth refusing for (the request is late by its own run anyway); one busy for 50 ms is.
    assertEquals(
        new Admission.Admit(true),
        decide(targeted(1, 0.001), DeadlinePolicy.BEST_EFFORT, List.of(), 0.5));
    Admission.Reject r =
        assertInstanceOf(
            Admission.Reject.class,
            decide(targeted(1, 0.001), DeadlinePolicy.BEST_EFFORT, List.of(), 50));
    assertEquals(Admission.Reason.OVERLOADED, r.reason());
  }

  @Test
  void lateOnlyByItsOwnTimeInTheServer_isLateAnyway_notOverloaded() {
    // admitted at 0, due at 3.05; by the time admission runs (0.1) even small (3 ms) cannot make it
    Pending p = new Pending(1, 1, 100, 0, OptionalDouble.of(3.05), java.util.Optional.empty());
    assertEquals(
        new Admission.Admit(true),
        Admission.decide(
            p,
            DeadlinePolicy.BEST_EFFORT,
            List.of(),
            new double[] {0.1},
            0.1,
            menu(),
            LatencyPredictor.PROFILE,
            NO_LIMITS,
            Admission.Spread.OWN_RUN,
            0));
    Admission.Reject r =
        assertInstanceOf(
            Admission.Reject.class,
            Admission.decide(
                p,
                DeadlinePolicy.STRICT,
                List.of(),
                new double[] {0.1},
                0.1,
                menu(),
                LatencyPredictor.PROFILE,
                NO_LIMITS,
                Admission.Spread.OWN_RUN,
                0));
    assertEquals(Admission.Reason.UNSATISFIABLE_TARGET, r.reason());
  }

  @Test
  void busyWorker_makesItLate_rejectedAsOverloaded_forEitherPolicy_withRetryHint() {
    for (DeadlinePolicy policy : DeadlinePolicy.values()) {
      Admission.Reject r =
          assertInstanceOf(Admission.Reject.class, decide(targeted(1, 10), policy, List.of(), 8.5));
      assertEquals(Admission.Reason.OVERLOADED, r.reason());
      assertEquals(2, r.retryAfterMillis(), 1e-9); // finishes at 11.5, 1.5 ms late → 2
    }
  }

  @Test
  void fitsBehindTheBusyWorker_isAdmitted() {
    assertEquals(
        new Admission.Admit(false), decide(targeted(1, 10), DeadlinePolicy.STRICT, List.of(), 7));
  }

  @Test
  void queueAhead_isDrainedInRunsBoundByTheirHeadsDeadlines() {
    // three requests due at 4 ahead: {1,2} ends at 4, {3} alone ends at 7, then the candidate ends
    // at 10
    List<Pending> ahead = List.of(targeted(1, 4), targeted(2, 4), targeted(3, 4));
    assertEquals(
        new Admission.Admit(false), decide(targeted(9, 10), DeadlinePolicy.STRICT, ahead, 0));
    assertInstanceOf(
        Admission.Reject.class, decide(targeted(9, 9.5), DeadlinePolicy.STRICT, ahead, 0));
  }

  @Test
  void laterDeadlinesInTheQueue_doNotCountAgainstTheCandidate() {
    List<Pending> behind = List.of(targeted(1, 100), targeted(2, 100), targeted(3, 100));
    assertEquals(
        new Admission.Admit(false), decide(targeted(9, 3), DeadlinePolicy.STRICT, behind, 0));
  }

  @Test
  void drain_finishTimes_singleAndTwoWorkers() {
    List<Pending> queue = List.of(targeted(1, 4), targeted(2, 4), targeted(3, 4), targeted(4, 10));
    assertArrayEquals(
        new double[] {4, 4, 7, 10},
        Drain.finishTimes(queue, new double[] {0}, menu(), LatencyPredictor.PROFILE, NO_LIMITS),
        1e-9);
    assertArrayEquals(
        new double[] {4, 4, 4, 4},
        Drain.finishTimes(queue, new double[] {0, 0}, menu(), LatencyPredictor.PROFILE, NO_LIMITS),
        1e-9);
  }

  /** Every run typically takes its profile, and 2× that when slow (the p98 predictions). */
  private static final LatencyPredictor SLOW_TAIL =
      new LatencyPredictor() {
        @Override
        public double predictMillis(io.flexserve.router.SubnetProfile s, int tokens) {
          return 2 * s.predictMillis(tokens);
        }

        @Override
        public LatencyPredictor typical() {
          return LatencyPredictor.PROFILE;
        }
      };

  /**
   * The scenario of the next three tests: one request per run (limits), each on small, 3 ms typical
   * and 6 ms slow ({@link #SLOW_TAIL}); two queued ahead (deadlines 10 and 12) and one running
   * until 3. The candidate, due at {@code deadline}, is decided with {@code spread} and {@code
   * allowance}.
   */
  private static Admission.Verdict behindTwoQueued(
      double deadline, Admission.Spread spread, double allowance) {
    return decideAt0(
        targeted(3, deadline),
        List.of(targeted(1, 10), targeted(2, 12)),
        new double[] {3},
        SLOW_TAIL,
        new BatchLimits(1, 1_000_000),
        spread,
        allowance);
  }

  @Test
  void queuedWorkCountsTypical_onlyTheCandidatesOwnRunIsAllowedItsTail() {
    // The typical drain ends at 3 + 3 + 3 + 3 = 12, plus the candidate's own tail (3) = 15. With
    // every queued run at its tail it would end at 3 + 6 · 3 = 21.
    assertEquals(new Admission.Admit(false), behindTwoQueued(15.5, Admission.Spread.OWN_RUN, 0));
    Admission.Reject r =
        assertInstanceOf(Admission.Reject.class, behindTwoQueued(14, Admission.Spread.OWN_RUN, 0));
    assertEquals(Admission.Reason.OVERLOADED, r.reason());
    assertTrue(r.message().contains("finish 1.0 ms after"), r.message());
  }

  @Test
  void queueSpread_allowsEachRunAheadItsTail_asTheRootOfTheirCount() {
    // As above: the typical drain ends at 12, one run's tail is 3 ms. Three runs come before the
    // candidate's (the running one and two queued), so QUEUE allows 3 · √(3 + 1) = 6: it finishes
    // at 18 where OWN_RUN said 15.
    assertEquals(new Admission.Admit(false), behindTwoQueued(18, Admission.Spread.QUEUE, 0));
    Admission.Reject r =
        assertInstanceOf(Admission.Reject.class, behindTwoQueued(17.5, Admission.Spread.QUEUE, 0));
    assertEquals(Admission.Reason.OVERLOADED, r.reason());
    assertEquals(new Admission.Admit(false), behindTwoQueued(17.5, Admission.Spread.OWN_RUN, 0));
    // An idle server with nothing queued: the candidate's own run is all there is, either way.
    for (Admission.Spread spread : Admission.Spread.values()) {
      assertEquals(
          new Admission.Admit(false),
          Admission.decide(
              targeted(3, 6),
              DeadlinePolicy.STRICT,
              List.of(),
              new double[] {0},
              0,
              menu(),
              SLOW_TAIL,
              new BatchLimits(1, 1_000_000),
              spread,
              0),
          spread.name());
    }
  }

  @Test
  void queueSpread_keepsTheOverloadAllowanceInHand_ownRunDoesNot() {
    // As above: QUEUE has it finish at 18 (typical drain 12, tails 6). With 2.5 ms more in hand
    // under overload it must be due by 20.5; below capacity (OWN_RUN) the allowance is not used.
    assertEquals(new Admission.Admit(false), behindTwoQueued(20.5, Admission.Spread.QUEUE, 2.5));
    assertInstanceOf(Admission.Reject.class, behindTwoQueued(20, Admission.Spread.QUEUE, 2.5));
    assertEquals(new Admission.Admit(false), behindTwoQueued(15.5, Admission.Spread.OWN_RUN, 2.5));
  }

  @Test
  void drain_countsTheRunsBeforeEachRequest_includingAWorkersUnfinishedRun() {
    BatchLimits one = new BatchLimits(1, 1_000_000);
    List<Pending> queue = List.of(targeted(1, 20), targeted(2, 20), targeted(3, 20));
    // worker 0 busy until 5, worker 1 idle at now = 0: 1 → worker 1 (free at 0), 2 → worker 1
    // (free at 3, before 5), 3 → worker 0 (free at 5, before 6), after its unfinished run
    Drain.Drained d =
        Drain.drain(queue, new double[] {5, 0}, 0, menu(), LatencyPredictor.PROFILE, one);
    assertArrayEquals(new int[] {0, 1, 1}, d.runsBefore());
    assertArrayEquals(new double[] {3, 6, 8}, d.finish(), 1e-9);
  }

  @Test
  void eachRequestsOwnServerTime_countsInTheDrain() {
    // small: 3 ms for one request; plus 2 ms of server time per request (a shared core)
    LatencyPredictor sharedCore =
        new LatencyPredictor() {
          @Override
          public double predictMillis(io.flexserve.router.SubnetProfile s, int tokens) {
            return s.predictMillis(tokens);
          }

          @Override
          public double perRequestMillis() {
            return 2;
          }
        };
    BatchLimits one = new BatchLimits(1, 1_000_000);
    List<Pending> queue = List.of(targeted(1, 10), targeted(2, 12));
    // three runs of 3 + 2 ms: the candidate finishes at 15
    assertEquals(
        new Admission.Admit(false),
        decideAt0(
            targeted(3, 15), queue, new double[] {0}, sharedCore, one, Admission.Spread.OWN_RUN));
    assertInstanceOf(
        Admission.Reject.class,
        decideAt0(
            targeted(3, 14), queue, new double[] {0}, sharedCore, one, Admission.Spread.OWN_RUN));
    // without the server's time the same three runs finish at 9
    assertEquals(
        new Admission.Admit(false),
        decideAt0(
            targeted(3, 9),
            queue,
            new double[] {0},
            LatencyPredictor.PROFILE,
            one,
            Admission.Spread.OWN_RUN));
  }
}
