package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.runtime.Sampler;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.router.generation.GenerationTargets;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.scheduling.WorkerPriorityTest;
import io.flexserve.server.serving.ServingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The scheduler on a fake clock ({@link FakeTicker}), with the real decoder of the tinystories
 * bundle ({@code full} and its KV-compatible {@code full-mlp50}) and fixed profiles: the deadline
 * verdict, the timeout, and token-level switching under the real policy, all independent of how
 * fast this machine runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationSchedulerTest {
  static final double T0 = 1_000_000; // ms on the fake clock
  // profiled: full 20 ms per step (+4 per extra row), full-mlp50 12 ms (+2)
  static final List<DecoderProfile> MENU =
      List.of(
          new DecoderProfile("full", 1, 20, 4, 5.0),
          new DecoderProfile("full-mlp50", 0.6, 12, 2, 6.0));

  ElasticDecoder decoder;
  long[] prompt;

  @BeforeAll
  void load() throws Exception {
    decoder =
        ElasticDecoder.load(
            TinyStoriesRepository.ensure().resolve(TinyStoriesRepository.MODEL),
            SessionConfig.cpu(1),
            Set.of("full", "full-mlp50")::contains);
    prompt = decoder.tokenizer().encode("Once upon a time, there was a little girl named Lily.");
  }

  @AfterAll
  void close() throws Exception {
    decoder.close();
  }

  /** What a generation told its client. */
  static final class Recorded implements GenerationEvents {
    final List<String> subnets = new CopyOnWriteArrayList<>();
    final CompletableFuture<Finish> end = new CompletableFuture<>();

    @Override
    public void token(Token token) {
      subnets.add(token.subnet());
    }

    @Override
    public void finish(Finish finish) {
      end.complete(finish);
    }

    @Override
    public void fail(Exception error) {
      end.completeExceptionally(error);
    }

    Finish await() throws Exception {
      return end.get(60, TimeUnit.SECONDS);
    }
  }

  GenerationRequest request(
      double arrivalMillis, int maxTokens, GenerationTargets targets, Optional<String> forced) {
    return new GenerationRequest(
        arrivalMillis,
        prompt,
        maxTokens,
        Sampler.Params.greedy(),
        List.of(),
        null,
        LogitAdjustments.NONE,
        targets,
        forced,
        DeadlinePolicy.BEST_EFFORT,
        OptionalInt.empty(),
        60_000);
  }

  /** Runs {@code request} alone on a scheduler reading {@code ticker}. */
  Recorded run(FakeTicker ticker, GenerationRequest request) throws Exception {
    try (GenerationScheduler scheduler =
        new GenerationScheduler(
            "tinystories", decoder, MENU, 4, 16, 0, new ServerMetrics(), 0, ticker)) {
      Recorded events = new Recorded();
      scheduler.submit(request, events);
      events.end.handle((f, e) -> null).get(60, TimeUnit.SECONDS);
      return events;
    }
  }

  @Test
  void theLoopThreadRunsAtTheInferenceNice() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/self/task")), "Linux only");
    // relative to this JVM's own nice: lowering is allowed without privileges, raising is not
    int nice = WorkerPriorityTest.currentNice() + 7;
    try (GenerationScheduler scheduler =
        new GenerationScheduler(
            "tinystories",
            decoder,
            MENU,
            4,
            16,
            0,
            new ServerMetrics(),
            nice,
            new FakeTicker(T0, 0))) {
      // the loop thread lowers itself as it starts; its name is cut to 15 characters in /proc
      boolean seen = false;
      for (long end = System.nanoTime() + 5_000_000_000L; !seen && System.nanoTime() < end; ) {
        seen = loopThreadNices().contains(nice);
        Thread.sleep(10);
      }
      assertTrue(seen, "a flexserve-generate thread at nice " + nice + ": " + loopThreadNices());
    }
  }

  /** The nice values of this process's threads named flexserve-generate-…. */
  private static List<Integer> loopThreadNices() throws Exception {
    List<Integer> nices = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          if (Files.readString(task.resolve("comm")).startsWith("flexserve-gener")) {
            nices.add(WorkerPriorityTest.niceOf(task));
          }
        } catch (IOException gone) {
          // the thread ended while listed
        }
      }
    }
    return nices;
  }

  @Test
  void verdict_withinTheTargets_isMet() throws Exception {
    // a frozen clock: the generation takes no time at all
    GenerationTargets targets = new GenerationTargets(null, 100.0, 20.0);
    GenerationEvents.Finish f =
        run(new FakeTicker(T0, 0), request(T0, 6, targets, Optional.empty())).await();
    assertEquals("length", f.reason());
    assertEquals(6, f.completionTokens());
    assertEquals(0, f.totalMillis());
    assertEquals(Boolean.TRUE, f.deadlineMet());
  }

  @Test
  void verdict_overATarget_isMissed() throws Exception {
    // arrived 500 ms before the (frozen) clock: first token, and the whole, at 500 ms
    GenerationTargets targets = new GenerationTargets(null, 100.0, null);
    GenerationEvents.Finish f =
        run(new FakeTicker(T0, 0), request(T0 - 500, 6, targets, Optional.empty())).await();
    assertEquals(500, f.ttftMillis());
    assertEquals(500, f.totalMillis());
    assertEquals(500, f.queueMillis());
    assertEquals(Boolean.FALSE, f.deadlineMet());
  }

  @Test
  void verdict_withoutTargets_isNone() throws Exception {
    GenerationEvents.Finish f =
        run(new FakeTicker(T0, 0), request(T0, 3, GenerationTargets.NONE, Optional.empty()))
            .await();
    assertEquals(null, f.deadlineMet());
  }

  @Test
  void generationPastItsTimeout_isAnswered504BeforeItRuns() throws Exception {
    Recorded events =
        run(
            new FakeTicker(T0, 0),
            request(T0 - 61_000, 6, GenerationTargets.NONE, Optional.empty()));
    Exception e = assertThrowsCause(events);
    assertInstanceOf(ServingException.TimedOut.class, e);
    assertTrue(events.subnets.isEmpty(), "no token");
  }

  @Test
  void rowOverItsPerTokenTarget_movesDownToTheKvCompatibleSmallerSubnet() throws Exception {
    // TPOT target 25 ms: full (20 ms profiled) is chosen at admission, but every clock read takes
    // 10 ms, so the tokens come at least 20 ms apart, and slower than 25 once the loop is steady.
    // After two inter-token times (the policy's minTokensDown) on full the row steps down, and
    // nothing compatible is faster than full-mlp50.
    Recorded events =
        run(
            new FakeTicker(T0, 10),
            request(T0, 10, new GenerationTargets(null, null, 25.0), Optional.empty()));
    GenerationEvents.Finish f = events.await();
    assertEquals(Map.of("full", 3, "full-mlp50", 7), f.tokensPerSubnet());
    assertEquals(List.of("full", "full-mlp50"), f.subnets());
    assertEquals(List.of("full", "full", "full"), events.subnets.subList(0, 3));
    assertEquals(Boolean.FALSE, f.deadlineMet());
  }

  @Test
  void rowComfortablyAhead_movesBackUp() throws Exception {
    // TPOT target 15 ms: only full-mlp50 (12 ms profiled) meets it at admission; but the clock
    // barely moves, so the row is far ahead and, after four inter-token times (minTokens), steps
    // up to full, predicted well within 0.8 × 15 ms
    Recorded events =
        run(
            new FakeTicker(T0, 0.001),
            request(T0, 10, new GenerationTargets(null, null, 15.0), Optional.empty()));
    GenerationEvents.Finish f = events.await();
    assertEquals(List.of("full-mlp50", "full"), f.subnets());
    assertEquals(Map.of("full-mlp50", 5, "full", 5), f.tokensPerSubnet());
    assertEquals(Boolean.TRUE, f.deadlineMet());
  }

  @Test
  void pinnedRow_neverMoves() throws Exception {
    // as the step-down case, but X-Subnet pins full
    GenerationEvents.Finish f =
        run(
                new FakeTicker(T0, 10),
                request(T0, 10, new GenerationTargets(null, null, 25.0), Optional.of("full")))
            .await();
    assertEquals(Map.of("full", 10), f.tokensPerSubnet());
    assertEquals(Boolean.FALSE, f.deadlineMet());
  }

  @Test
  void generationWhoseMaxTokensOverrunTheContext_endsAtTheContext() throws Exception {
    // max tokens so large that prompt + max overflows an int; end of sequence is biased away
    int context = decoder.config().maxPositions();
    Map<Integer, Double> noEos = new java.util.HashMap<>();
    decoder.config().eosTokenIds().forEach(id -> noEos.put(id, -100.0));
    GenerationRequest endless =
        new GenerationRequest(
            T0,
            prompt,
            Integer.MAX_VALUE,
            Sampler.Params.greedy(),
            List.of(),
            null,
            new LogitAdjustments(0, 0, noEos),
            GenerationTargets.NONE,
            Optional.empty(),
            DeadlinePolicy.BEST_EFFORT,
            OptionalInt.empty(),
            60_000);
    GenerationEvents.Finish f = run(new FakeTicker(T0, 0), endless).await();
    assertEquals("length", f.reason());
    assertEquals(context - prompt.length, f.completionTokens());
  }

  private static Exception assertThrowsCause(Recorded events) {
    assertTrue(events.end.isCompletedExceptionally(), "the generation failed");
    try {
      events.end.join();
    } catch (java.util.concurrent.CompletionException e) {
      assertFalse(e.getCause() == null);
      return (Exception) e.getCause();
    }
    throw new AssertionError("unreachable");
  }
}
