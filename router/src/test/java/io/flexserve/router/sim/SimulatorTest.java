package io.flexserve.router.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyCurve;
import io.flexserve.router.LatencyPoint;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicies;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  /** Per 100-token request b in a batch: full 6 + 4b ms, mid 4 + 2b, small 2 + b. */
  static ModelMenu menu() {
    return ModelMenu.of(
        List.of(
            subnet("full", 1.0, 1.0, 10, 46),
            subnet("mid", 0.5, 0.9, 6, 24),
            subnet("small", 0.25, 0.7, 3, 12)));
  }

  static SubnetProfile subnet(
      String name, double size, double quality, double ms100, double ms1000) {
    return new SubnetProfile(
        name,
        size,
        quality,
        LatencyCurve.of(List.of(new LatencyPoint(100, ms100), new LatencyPoint(1000, ms1000))));
  }

  static final Simulator.Config CONFIG =
      new Simulator.Config(1, 64, new BatchLimits(32, 100_000), 0, 0, 0, 7);
  static final Traces.Shape SHAPE =
      new Traces.Shape(1, 100, OptionalDouble.of(20), DeadlinePolicy.BEST_EFFORT);

  static SimReport sim(String policy, List<Arrival> trace, Simulator.Config config) {
    return Simulator.run(trace, menu(), BatchPolicies.byName(policy), config);
  }

  @Test
  void sameSeed_sameReport_otherSeed_otherReport() {
    Simulator.Config noisy =
        new Simulator.Config(1, 64, new BatchLimits(32, 100_000), 1, 0, 0.3, 7);
    List<Arrival> trace = Traces.poisson(150, 5, SHAPE, 1);
    assertEquals(sim("slackfit", trace, noisy), sim("slackfit", trace, noisy));
    Simulator.Config otherSeed =
        new Simulator.Config(1, 64, new BatchLimits(32, 100_000), 1, 0, 0.3, 8);
    assertNotEquals(sim("slackfit", trace, noisy), sim("slackfit", trace, otherSeed));
  }

  @Test
  void lowLoad_nearlyEveryRequestOnFull_andMet() {
    // Poisson arrivals collide now and then; a run already started cannot make room for them
    SimReport r = sim("slackfit", Traces.poisson(10, 30, SHAPE, 1), CONFIG);
    assertTrue(r.sloAttainment() >= 0.995, r.toString());
    assertTrue(r.meanQuality() >= 0.99, r.toString());
  }

  @Test
  void twiceFullCapacity_slackfitKeepsDeadlines_withBetterQualityThanSmallest_andBeatsLargest() {
    // full alone serves 100 req/s (10 ms each); offer 200 req/s with 20 ms targets
    List<Arrival> trace = Traces.poisson(200, 20, SHAPE, 3);
    SimReport slackfit = sim("slackfit", trace, CONFIG);
    SimReport largest = sim("always-largest", trace, CONFIG);
    SimReport smallest = sim("always-smallest", trace, CONFIG);
    assertTrue(slackfit.sloAttainment() >= 0.99, "slackfit attainment " + slackfit);
    assertTrue(slackfit.meanQuality() > smallest.meanQuality(), slackfit + " vs " + smallest);
    assertTrue(slackfit.sloAttainment() > largest.sloAttainment(), slackfit + " vs " + largest);
    assertTrue(
        slackfit.meanBatchRequests() > 1, "batching should happen at this load: " + slackfit);
  }

  @Test
  void fiveTimesOverload_admittedRequestsMeetTargets_restRefused() {
    SimReport r = sim("slackfit", Traces.poisson(1500, 10, SHAPE, 5), CONFIG);
    assertTrue(r.rejectedTotal() > 0);
    assertTrue(r.p99Millis() <= 20, "admitted requests should be on time at p99: " + r);
    assertEquals(r.sent(), r.served() + r.rejectedTotal());
  }

  @Test
  void greedy_batchesLess_andFallsBehindSlackfitUnderLoad() {
    List<Arrival> trace = Traces.poisson(300, 10, SHAPE, 9);
    SimReport greedy = sim("greedy", trace, CONFIG);
    SimReport slackfit = sim("slackfit", trace, CONFIG);
    assertTrue(
        greedy.meanBatchRequests() < slackfit.meanBatchRequests(), greedy + " vs " + slackfit);
    assertTrue(slackfit.goodputPerSecond() > greedy.goodputPerSecond(), greedy + " vs " + slackfit);
  }

  @Test
  void traces_poissonRate_burstyOffPeriods_csvRoundTrip() throws Exception {
    List<Arrival> poisson = Traces.poisson(100, 60, SHAPE, 11);
    assertEquals(6000, poisson.size(), 300);
    List<Arrival> bursty = Traces.bursty(100, 10, 200, 800, SHAPE, 11);
    for (Arrival a : bursty) {
      assertTrue(a.atMillis() % 1000 < 200, "arrival in an off period at " + a.atMillis());
    }
    assertEquals(1000, bursty.size(), 120);
    StringWriter out = new StringWriter();
    Traces.writeCsv(poisson.subList(0, 50), out);
    List<Arrival> back =
        Traces.readCsv(new StringReader(out.toString()), 100, DeadlinePolicy.BEST_EFFORT);
    assertEquals(50, back.size());
    assertEquals(poisson.get(49).atMillis(), back.get(49).atMillis(), 1e-3);
    assertEquals(20, back.get(0).targetMillis().getAsDouble(), 1e-9);
  }

  @Test
  void badCsv_namesTheLine() {
    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class,
            () ->
                Traces.readCsv(
                    new StringReader(
                        Traces.CSV_HEADER + "\n1,/v1/embeddings,2,5\nx,/v1/embeddings,1,\n"),
                    10,
                    DeadlinePolicy.STRICT));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }

  @Test
  void perRequestCpuAndSlowerRuns_takeCapacity_asOnAOneCoreServer() {
    // one request at a time, 40 ms apart, each 100 tokens on full (10 ms): always served on full
    List<Arrival> trace = Traces.poisson(25, 20, SHAPE, 3);
    SimReport profiled = sim("always-largest", trace, CONFIG);
    Simulator.Config loaded =
        new Simulator.Config(1, 64, new BatchLimits(32, 100_000), 0, 0, 0, 1.5, 4, 0, 7);
    SimReport slower = sim("always-largest", trace, loaded);
    // 10 ms × 1.5 + 4 ms per request = 19 ms: the 20 ms target leaves no room for any queueing
    assertTrue(slower.p50Millis() >= 19 - 1e-9, slower.toString());
    assertTrue(profiled.p50Millis() < 11, profiled.toString());
    assertTrue(slower.sloAttainment() < profiled.sloAttainment(), slower + " vs " + profiled);
  }

  @Test
  void overloadHold_pastCapacity_refusesMoreAndKeepsTheAdmittedOnTime() {
    // small alone drains at most ~1000 req/s (2 + b ms for a batch of b); 1500 req/s is past it.
    // Runs vary (σ 0.3), so a queue of several runs overruns its typical sum, more often the deeper
    // it is: counting every run's spread while refusing admits fewer and keeps more of them on
    // time. Checked on five traces. Not the admitted requests' p99: with this much noise it moves
    // either way by about a millisecond from one trace to the next (higher with the hold on three
    // traces of ten, BENCHMARKS.md, issue 19).
    for (long seed = 1; seed <= 5; seed++) {
      List<Arrival> trace = Traces.poisson(1500, 5, SHAPE, seed);
      SimReport ownRun = sim("slackfit", trace, noisy(0));
      SimReport queue = sim("slackfit", trace, noisy(1000));
      assertTrue(ownRun.rejectedTotal() > 0, ownRun.toString());
      assertTrue(queue.rejectedTotal() > ownRun.rejectedTotal(), queue + " vs " + ownRun);
      assertTrue(
          late(queue) < late(ownRun),
          "trace " + seed + ", late among the admitted: " + late(queue) + " vs " + late(ownRun));
    }
  }

  @Test
  void overloadHold_belowCapacity_withoutRefusals_changesNothing() {
    List<Arrival> trace = Traces.poisson(100, 10, SHAPE, 3);
    SimReport ownRun = sim("slackfit", trace, noisy(0));
    assertEquals(0, ownRun.rejectedTotal(), ownRun.toString());
    assertEquals(ownRun, sim("slackfit", trace, noisy(1000)));
  }

  /** Runs at their profile with σ 0.3 of noise; admission's overload hold as given. */
  private static Simulator.Config noisy(double overloadHoldMillis) {
    return new Simulator.Config(
        1, 64, new BatchLimits(32, 100_000), 0, 0, 0.3, 1, 0, overloadHoldMillis, 7);
  }

  /** Served requests that missed their target. */
  private static int late(SimReport r) {
    return r.served() - r.met();
  }
}
