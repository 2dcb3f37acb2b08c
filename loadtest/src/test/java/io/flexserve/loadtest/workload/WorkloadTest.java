package io.flexserve.loadtest.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.arrival.Steps;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  private static final Payloads TEXTS = new Payloads(List.of("a", "b", "c"), 1);

  @Test
  void generated_equalSeeds_giveEqualPlans_andTargetsDoNotMoveArrivals() {
    Workload uniform =
        new Workload.Generated(
            new ArrivalProcess.Poisson(50),
            ScheduleBounds.requests(200),
            5,
            TEXTS,
            TargetDistribution.parse("uniform:5:50"));
    Workload none =
        new Workload.Generated(
            new ArrivalProcess.Poisson(50),
            ScheduleBounds.requests(200),
            5,
            TEXTS,
            new TargetDistribution.None());

    List<PlannedRequest> plan = uniform.plan();

    assertEquals(plan, uniform.plan());
    assertEquals(
        plan.stream().map(PlannedRequest::offsetNanos).toList(),
        none.plan().stream().map(PlannedRequest::offsetNanos).toList());
    assertTrue(plan.stream().allMatch(p -> p.targetMillis().isPresent()));
    assertEquals(List.of("b"), plan.get(1).inputs());
    assertEquals(List.of(0, 1, 2), plan.subList(0, 3).stream().map(PlannedRequest::index).toList());
  }

  @Test
  void replayed_boundsCutTheTrace_andTraceTargetsWin() {
    List<TraceEntry> trace =
        List.of(
            new TraceEntry(0, new TraceEntry.Count(2), OptionalDouble.empty()),
            new TraceEntry(500_000_000, new TraceEntry.PerRequest(), OptionalDouble.of(3)),
            new TraceEntry(
                1_500_000_000, new TraceEntry.Texts(List.of("late")), OptionalDouble.empty()));

    List<PlannedRequest> plan =
        new Workload.Replayed(
                "t", trace, ScheduleBounds.duration(1.0), 1, TEXTS, new TargetDistribution.Fixed(9))
            .plan();

    assertEquals(2, plan.size(), "the entry at 1.5 s is past the 1 s bound");
    assertEquals(List.of("a", "b"), plan.get(0).inputs());
    assertEquals(
        List.of("c"), plan.get(1).inputs(), "pool texts continue where the previous entry stopped");
    assertEquals(OptionalDouble.of(9), plan.get(0).targetMillis());
    assertEquals(OptionalDouble.of(3), plan.get(1).targetMillis());
    assertEquals(
        1,
        new Workload.Replayed(
                "t", trace, ScheduleBounds.requests(1), 1, TEXTS, new TargetDistribution.None())
            .plan()
            .size());
  }

  @Test
  void replayed_unsortedEntries_fail() {
    List<TraceEntry> trace =
        List.of(
            new TraceEntry(5, new TraceEntry.PerRequest(), OptionalDouble.empty()),
            new TraceEntry(1, new TraceEntry.PerRequest(), OptionalDouble.empty()));

    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Workload.Replayed(
                "t", trace, ScheduleBounds.requests(5), 1, TEXTS, new TargetDistribution.None()));
  }

  @Test
  void describe_namesArrivalAndTargets() {
    Workload w =
        new Workload.Generated(
            Steps.parse("10:1,20:1"),
            ScheduleBounds.requests(10),
            1,
            TEXTS,
            TargetDistribution.parseChoices("10,20"));

    assertEquals("steps 10 req/s for 1 s, 20 req/s for 1 s (poisson)", w.describe().get("arrival"));
    assertEquals("one of 10, 20 ms", w.describe().get("latency target"));
  }
}
