package io.flexserve.server.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyCurve;
import io.flexserve.router.LatencyPoint;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicies;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.serving.ServingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests for the same menu entry that wait behind a run are merged into one run; requests for
 * another entry (for a vision model: another resolution, so another input shape) never share it.
 */
class BatchSchedulerTest {
  @Test
  void sameVariantRequests_waitingBehindARun_areMergedIntoOneRun_otherVariantsRunApart()
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> runs = Collections.synchronizedList(new ArrayList<>());
    BatchScheduler.Runner<String, String> runner =
        (subnet, inputs, options) -> {
          started.countDown();
          assertTrue(release.await(10, TimeUnit.SECONDS));
          runs.add(subnet.name() + " " + inputs);
          return inputs.stream().map(i -> i + " on " + subnet.name()).toList();
        };
    ModelMenu menu =
        ModelMenu.of(List.of(profile("full@64", 1.0, 1.0), profile("full@32", 0.8, 0.4)));
    BatchScheduler<String, String> scheduler =
        new BatchScheduler<>(
            "m",
            runner,
            menu,
            BatchPolicies.byName("slackfit"),
            new BatchLimits(64, 8192),
            1,
            0,
            16,
            0,
            0,
            new ServerMetrics());
    try {
      CompletableFuture<BatchScheduler.Done<String>> a = scheduler.submit(job("a", "full@64"));
      assertTrue(started.await(10, TimeUnit.SECONDS), "the first run started");
      CompletableFuture<BatchScheduler.Done<String>> b = scheduler.submit(job("b", "full@32"));
      CompletableFuture<BatchScheduler.Done<String>> c = scheduler.submit(job("c", "full@64"));
      CompletableFuture<BatchScheduler.Done<String>> d = scheduler.submit(job("d", "full@64"));
      release.countDown();
      CompletableFuture.allOf(a, b, c, d).get(10, TimeUnit.SECONDS);

      assertEquals(List.of("full@64 [a]", "full@32 [b]", "full@64 [c, d]"), runs);
      assertEquals("c on full@64", c.get().output());
      assertEquals(2, c.get().batchRequests());
      assertEquals(2, d.get().batchRequests());
      assertEquals("full@32", b.get().subnet());
      assertEquals(1, b.get().batchRequests());
    } finally {
      scheduler.drain(Duration.ofSeconds(5));
    }
  }

  @Test
  void measuredAnswerTails_longerThanTheConfiguredMargin_areReservedOutOfEveryTarget()
      throws Exception {
    BatchScheduler.Runner<String, String> runner =
        (subnet, inputs, options) -> inputs.stream().map(i -> i + " on " + subnet.name()).toList();
    BatchScheduler<String, String> scheduler =
        new BatchScheduler<>(
            "m",
            runner,
            ModelMenu.of(List.of(profile("full", 1.0, 1.0))), // 1 ms a run
            BatchPolicies.byName("slackfit"),
            new BatchLimits(64, 8192),
            1,
            0,
            16,
            2, // the configured margin: 2 ms of a 20 ms target
            0,
            new ServerMetrics());
    try {
      assertEquals(2.0, scheduler.responseTail().marginMillis());
      assertEquals(
          "x on full", scheduler.submit(strict("x", 20)).get(10, TimeUnit.SECONDS).output());
      for (int i = 0; i < 1024; i++) {
        scheduler.responseTail().observe(System.nanoTime() / 1e6, 25); // answers leave 25 ms late
      }
      assertEquals(25.0, scheduler.responseTail().marginMillis());
      ServingException refused =
          assertThrows(ServingException.class, () -> scheduler.submit(strict("y", 20)));
      assertEquals(
          "deadline_unsatisfiable",
          refused.code(),
          "a run of 1 ms cannot end 25 ms before a 20 ms target");
      assertEquals(
          "z on full", scheduler.submit(strict("z", 40)).get(10, TimeUnit.SECONDS).output());
    } finally {
      scheduler.drain(Duration.ofSeconds(5));
    }
  }

  private static BatchScheduler.Job<String> strict(String input, double targetMillis) {
    return new BatchScheduler.Job<>(
        System.nanoTime() / 1e6,
        input,
        1,
        1,
        OptionalDouble.of(targetMillis),
        Optional.empty(),
        DeadlinePolicy.STRICT,
        60_000);
  }

  private static SubnetProfile profile(String name, double quality, double size) {
    return new SubnetProfile(
        name, size, quality, LatencyCurve.of(List.of(new LatencyPoint(1, 1.0))));
  }

  private static BatchScheduler.Job<String> job(String input, String variant) {
    return new BatchScheduler.Job<>(
        System.nanoTime() / 1e6,
        input,
        1,
        1,
        OptionalDouble.empty(),
        Optional.of(variant),
        DeadlinePolicy.BEST_EFFORT,
        60_000);
  }
}
