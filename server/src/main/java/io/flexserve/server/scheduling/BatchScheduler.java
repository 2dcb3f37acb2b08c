package io.flexserve.server.scheduling;

import ai.onnxruntime.OrtSession;
import io.flexserve.models.runtime.TimedRun;
import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyEstimator;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.ResponseTail;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.Admission;
import io.flexserve.router.batch.ArrivalRate;
import io.flexserve.router.batch.Batch;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicy;
import io.flexserve.router.batch.OverloadAllowance;
import io.flexserve.router.batch.OverloadHold;
import io.flexserve.router.batch.Pending;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.serving.ServingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Queues one model's requests and runs them in batches on {@code workers} threads; what a run
 * computes is the {@link Runner}'s business (an encoder's embeddings, a vision backbone's
 * features), the queueing protocol is this class's.
 *
 * <p>Protocol. {@link #submit} admits or refuses a request at once: the queue bound gives {@code
 * queue_full}; the router's {@link Admission} rules refuse requests whose target the work already
 * queued would make them miss ({@code overloaded}), and under {@code strict} those no sub-network
 * could meet ({@code deadline_unsatisfiable}). Admitted requests wait in deadline order. A free
 * worker asks the router's {@link BatchPolicy} for the next run (sub-network and which requests,
 * chosen from the head's slack), removes those requests, runs them merged as one ONNX Runtime
 * batch, feeds the observed time to the {@link LatencyEstimator}, and completes each request with
 * its rows. The router decides; this class only keeps the queue and the clock.
 *
 * <p>Threading. One lock guards the queue, the running-batch table, the estimator and the arrival
 * rate; inference runs outside it. Request threads call {@link #submit}; worker threads loop in
 * {@link #work}. Time is {@link System#nanoTime} in milliseconds, passed to the router as data.
 *
 * <p>Deadlines are {@code arrival + target − margin}: the client's clock also runs while the
 * request is parsed before admission and while the response is encoded and written after its run.
 * The margin is the configured response margin, raised to what answers' tails measure ({@link
 * ResponseTail}, fed by whoever writes the answers).
 *
 * <p>Timeouts. Every request has one ({@code X-Request-Timeout-Ms}, capped by configuration). A
 * timer answers it 504 at that moment, taking it out of the queue if it is still there. A run is
 * given until the latest timeout of its requests: then a {@link TimedRun} terminates it in ONNX
 * Runtime, since no one is left waiting for it.
 *
 * <p>Invariants: {@code queue} is sorted by {@link Pending#byDeadline}, holds at most {@code
 * capacity} entries, and every entry's future completes exactly once (result, inference failure, or
 * shutdown).
 *
 * <p><b>Why one class of 550 lines.</b> The protocol above is one state machine under one lock:
 * admission, dispatch, timeouts and shutdown all read and change the same queue and running table,
 * and the invariants hold only if every change is made here. The decisions are the router's.
 */
public final class BatchScheduler<I, O> implements AutoCloseable {
  /**
   * Computes one merged run. Called on a worker thread, outside the scheduler's lock; may throw,
   * which fails every request of the run.
   */
  public interface Runner<I, O> {
    /**
     * @param options the run's ONNX Runtime options, terminated when every request of the run has
     *     timed out
     * @return one output per input, in order
     */
    List<O> run(SubnetProfile subnet, List<I> inputs, OrtSession.RunOptions options)
        throws Exception;
  }

  /**
   * One request offered to the scheduler, immutable.
   *
   * @param arrivalMillis when the request reached the server ({@link System#nanoTime} in ms):
   *     targets count from here
   * @param input what the runner receives
   * @param inputs inputs in it (texts, images), ≥ 1
   * @param sequence its size per input as the latency curves count it (padded tokens; 1 for an
   *     image), ≥ 1
   * @param targetMillis {@code X-Latency-Target-Ms}; empty without one
   * @param forcedSubnet menu entry the client forced
   * @param timeoutMillis from arrival, when to give up: answered 504, its run terminated unless
   *     others still need it
   */
  public record Job<I>(
      double arrivalMillis,
      I input,
      int inputs,
      int sequence,
      OptionalDouble targetMillis,
      Optional<String> forcedSubnet,
      DeadlinePolicy deadlinePolicy,
      double timeoutMillis) {}

  /**
   * A finished request.
   *
   * @param subnet menu entry that ran it
   * @param queueMillis from arrival until its run started
   * @param inferenceMillis time of the run it was part of
   * @param predictedMillis what the router predicted for that run
   * @param batchRequests requests merged into that run
   */
  public record Done<O>(
      O output,
      String subnet,
      double queueMillis,
      double inferenceMillis,
      double predictedMillis,
      int batchRequests) {}

  private final String model;
  private final Runner<I, O> runner;
  private final ModelMenu menu;
  private final BatchPolicy policy;
  private final BatchLimits limits;
  private final int capacity;
  private final int workers;
  private final ServerMetrics metrics;
  private final ResponseTail responseTail;
  private final OverloadHold overload;

  /** Answers whose tails the response margin is taken over: a few seconds' worth under load. */
  private static final int TAIL_WINDOW = 1024;

  /**
   * And for how long a tail counts: at 2× capacity a 1024-answer window spans 13 s, and the tails
   * of the overload before it (big batches, answers written one after another) kept the margin near
   * 10 ms for its first seconds, refusing requests it could serve (BENCHMARKS.md, issue 19).
   */
  private static final double TAIL_MAX_AGE_MILLIS = 5_000;

  private static final java.lang.management.ThreadMXBean THREAD_CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workAvailable = lock.newCondition();
  private final List<Entry<I, O>> queue = new ArrayList<>();
  private final Map<Thread, Running> running = new HashMap<>();
  private final LatencyEstimator estimator = LatencyEstimator.standard();
  private final ArrivalRate arrivals = ArrivalRate.standard();
  private final OverloadAllowance allowance = new OverloadAllowance();
  private final List<Thread> threads = new ArrayList<>();
  private final ScheduledThreadPoolExecutor timer;
  private long nextId;
  private boolean closed;

  /**
   * @param timeoutAtMillis when the request times out, {@link #nowMillis} clock
   * @param underOverload admitted with a target while overloaded ({@link Admission.Spread#QUEUE}):
   *     its finish feeds the {@link OverloadAllowance}
   */
  private record Entry<I, O>(
      Pending pending,
      I input,
      CompletableFuture<Done<O>> result,
      double timeoutAtMillis,
      boolean underOverload) {}

  /**
   * @param typicalMillis the run's typical (median) predicted time: admission adds up the work
   *     ahead of a request at typical times and allows a slow run for the request's own only
   */
  private record Running(double startMillis, double typicalMillis, int requests) {}

  public BatchScheduler(
      String model,
      Runner<I, O> runner,
      ModelMenu menu,
      BatchPolicy policy,
      BatchLimits limits,
      int workers,
      int workerNice,
      int capacity,
      double responseMarginMillis,
      double overloadHoldMillis,
      ServerMetrics metrics) {
    this.model = model;
    this.runner = runner;
    this.menu = menu;
    this.policy = policy;
    this.limits = limits;
    this.workers = workers;
    this.capacity = capacity;
    this.metrics = metrics;
    this.responseTail = new ResponseTail(responseMarginMillis, TAIL_WINDOW, TAIL_MAX_AGE_MILLIS);
    this.overload = new OverloadHold(overloadHoldMillis);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "flexserve-timeouts-" + model);
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(
        true); // most timeouts are cancelled (answered in time): do not keep them queued
    // A task always at the head of the timer's queue, due within a second: arming a request's
    // timeout or its run's (seconds to minutes away) then never makes the new task the head, which
    // is what wakes the timer thread. Two wakes per request cost the server's core ~30 µs each.
    timer.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.SECONDS);
    for (int i = 0; i < workers; i++) {
      Thread t =
          new Thread(
              () -> {
                WorkerPriority.applyToCurrentThread(workerNice);
                work();
              },
              "flexserve-infer-" + model + "-" + (i + 1));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  public String policyName() {
    return policy.name();
  }

  /**
   * The margin every target reserves for an answer's tail; its writer reports each tail with {@link
   * ResponseTail#observe}.
   */
  public ResponseTail responseTail() {
    return responseTail;
  }

  /**
   * Admits {@code job} or refuses it at once.
   *
   * @return completes with the result, or exceptionally with {@link
   *     ServingException.InferenceFailed} or {@link ServingException.NotReady} (shutdown)
   * @throws ServingException.Overloaded queue full, overloaded, or a strict target no sub-network
   *     can meet
   * @throws ServingException.InvalidValue a forced sub-network that does not exist
   * @throws ServingException.NotReady after shutdown began
   */
  public CompletableFuture<Done<O>> submit(Job<I> job) {
    lock.lock();
    try {
      if (closed) {
        throw new ServingException.NotReady(
            "shutting_down", "model '" + model + "' is shutting down");
      }
      double now = nowMillis();
      arrivals.arrived(now);
      double arrival = Math.min(job.arrivalMillis(), now);
      // The deadline is end to end: from arrival, less the time to encode and write the response
      // afterwards.
      Pending pending =
          new Pending(
              nextId++,
              job.inputs(),
              job.sequence(),
              arrival,
              job.targetMillis().isPresent()
                  ? OptionalDouble.of(
                      arrival
                          + Math.max(
                              0, job.targetMillis().getAsDouble() - responseTail.marginMillis()))
                  : OptionalDouble.empty(),
              job.forcedSubnet());
      if (queue.size() >= capacity) {
        overload.refused(now);
        metrics.rejections.labels(model, "queue_full").inc();
        throw new ServingException.Overloaded(
            "queue_full",
            "model '"
                + model
                + "' has "
                + queue.size()
                + " requests queued (the limit); retry shortly",
            1);
      }
      List<Pending> waiting = pendings();
      Admission.Spread spread = overload.spread(now);
      if (Admission.decide(
              pending,
              job.deadlinePolicy(),
              waiting,
              workerFreeAt(now),
              now,
              menu,
              estimator,
              limits,
              spread,
              allowance.millis(now))
          instanceof Admission.Reject r) {
        if (r.reason() == Admission.Reason.OVERLOADED) {
          overload.refused(now);
        }
        throw refuse(r);
      }
      Entry<I, O> entry =
          new Entry<>(
              pending,
              job.input(),
              new CompletableFuture<>(),
              arrival + job.timeoutMillis(),
              pending.deadlineMillis().isPresent() && spread == Admission.Spread.QUEUE);
      int at = Collections.binarySearch(waiting, pending, Pending::byDeadline);
      queue.add(at < 0 ? -at - 1 : at, entry);
      ScheduledFuture<?> alarm =
          timer.schedule(
              () -> expire(entry), nanos(entry.timeoutAtMillis() - now), TimeUnit.NANOSECONDS);
      entry
          .result()
          .whenComplete(
              (r, e) -> {
                alarm.cancel(false);
                if (entry.result().isCancelled()) {
                  withdraw(entry);
                }
              });
      metrics.queueDepth.labels(model).set(depth());
      workAvailable.signal();
      return entry.result();
    } finally {
      lock.unlock();
    }
  }

  private ServingException refuse(Admission.Reject r) {
    return switch (r.reason()) {
      case UNKNOWN_SUBNET -> new ServingException.InvalidChoice("unknown_subnet", r.message());
      case UNSATISFIABLE_TARGET -> {
        metrics.rejections.labels(model, "deadline_unsatisfiable").inc();
        yield new ServingException.Overloaded(
            "deadline_unsatisfiable", r.message(), (long) Math.ceil(r.retryAfterMillis() / 1000));
      }
      case OVERLOADED -> {
        metrics.rejections.labels(model, "overloaded").inc();
        yield new ServingException.Overloaded(
            "overloaded", r.message(), (long) Math.ceil(r.retryAfterMillis() / 1000));
      }
    };
  }

  /** Worker loop: take the policy's next batch, run it outside the lock, complete its requests. */
  private void work() {
    Worker worker = new Worker();
    while (worker.runNext()) {
      // The responses just completed are written by the event loop. When it shares a core with this
      // worker, the next run would otherwise hold that core for a whole run before they leave, time
      // the client counts and the scheduler never sees; yielding lets them go first (a no-op when
      // nothing else wants this core).
      Thread.yield();
    }
  }

  /**
   * One worker thread's state between runs. A run's steps live in {@link #runNext}, not in the
   * thread's loop: a loop that never returns is only compiled on-stack after tens of thousands of
   * iterations, so for a server's first tens of thousands of runs each run's bookkeeping would be
   * interpreted, ~16 µs per run on the worker's core (perf, C1).
   */
  private final class Worker {
    private double lastEnd; // when the previous run's inference ended
    private int lastRequests; // and how many requests it served

    /** Waits for work, runs one batch; false once the scheduler is closed and drained. */
    boolean runNext() {
      List<Entry<I, O>> taken;
      Batch batch;
      double start;
      lock.lock();
      try {
        boolean waited = queue.isEmpty();
        while (queue.isEmpty() && !closed) {
          workAvailable.awaitUninterruptibly();
        }
        if (queue.isEmpty()) {
          return false; // closed and drained
        }
        start = nowMillis();
        if (!waited && lastRequests > 0) {
          // Work was waiting, yet the core went to the last run's responses first (and to the
          // arrivals meanwhile): a cost of each request that the drain must count.
          estimator.observeGap(start - lastEnd, lastRequests);
          metrics.requestGap.labels(model).set(estimator.perRequestMillis() / 1000);
          metrics.responseMargin.labels(model).set(responseTail.marginMillis() / 1000);
        }
        batch =
            policy.next(pendings(), start, arrivals.perMillisecond(start), menu, estimator, limits);
        taken = take(batch);
        taken.removeIf(
            e -> e.result().isDone()); // timed out between the policy's look and the take
        if (taken.isEmpty()) {
          return true;
        }
        running.put(
            Thread.currentThread(),
            new Running(
                start,
                estimator.typical().runMillis(batch.subnet(), batch.paddedTokens(), taken.size()),
                taken.size()));
        metrics.decisions.labels(model, policy.name(), batch.subnet().name()).inc();
      } finally {
        lock.unlock();
      }
      lastEnd = run(batch, taken, start);
      lastRequests = taken.size();
      return true;
    }
  }

  /** Runs one batch and completes its requests; returns when its inference ended. */
  private double run(Batch batch, List<Entry<I, O>> taken, double start) {
    List<O> outputs = null;
    Exception failure = null;
    boolean terminated = false;
    double giveUpAt = taken.stream().mapToDouble(Entry::timeoutAtMillis).max().orElseThrow();
    long cpuBefore = THREAD_CPU.getCurrentThreadCpuTime();
    try (TimedRun timed = TimedRun.start(timer, nanos(giveUpAt - start))) {
      try {
        outputs =
            runner.run(batch.subnet(), taken.stream().map(Entry::input).toList(), timed.options());
        if (outputs.size() != taken.size()) {
          throw new IllegalStateException(
              outputs.size() + " outputs for " + taken.size() + " requests");
        }
      } catch (Exception e) {
        failure = e;
        terminated = timed.terminated();
      }
    } catch (Exception e) {
      failure = e;
    }
    double end = nowMillis();
    // the run's CPU only: completing the futures below builds responses on this thread
    long runCpuNanos = THREAD_CPU.getCurrentThreadCpuTime() - cpuBefore;
    lock.lock();
    try {
      running.remove(Thread.currentThread());
      metrics.queueDepth.labels(model).set(depth());
    } finally {
      lock.unlock();
    }
    complete(taken, outputs, failure, terminated, batch, start, end);
    // The answers went first; the rest is bookkeeping no client waits for. The estimator's update
    // sorts its window (~10 µs here), still before this worker's next decision.
    lock.lock();
    try {
      if (failure == null) {
        estimator.observe(batch.subnet(), batch.paddedTokens(), end - start);
        for (Entry<I, O> e : taken) {
          if (e.underOverload()) {
            allowance.finished(end, end - e.pending().deadlineMillis().getAsDouble());
          }
        }
        metrics.overloadAllowance.labels(model).set(allowance.millis(end) / 1000);
        metrics.latencyCorrection.labels(model, "typical").set(estimator.typicalCorrection());
        metrics.latencyCorrection.labels(model, "slow").set(estimator.correction());
      }
    } finally {
      lock.unlock();
    }
    metrics.inferenceCpu.labels(model).inc(runCpuNanos / 1e9);
    metrics.batchRequests.labels(model, batch.subnet().name()).observe(taken.size());
    return end;
  }

  /** Completes each request of a run: its output, or the run's failure or termination. */
  private void complete(
      List<Entry<I, O>> taken,
      List<O> outputs,
      Exception failure,
      boolean terminated,
      Batch batch,
      double start,
      double end) {
    for (int i = 0; i < taken.size(); i++) {
      Entry<I, O> e = taken.get(i);
      if (terminated) {
        if (e.result().completeExceptionally(timedOut(e, "its inference run was terminated"))) {
          metrics.timeouts.labels(model, "run").inc();
        }
        continue;
      }
      if (failure != null) {
        e.result()
            .completeExceptionally(
                new ServingException.InferenceFailed(
                    "inference failed on "
                        + model
                        + "/"
                        + batch.subnet().name()
                        + ": "
                        + failure.getMessage()));
        continue;
      }
      e.result()
          .complete(
              new Done<>(
                  outputs.get(i),
                  batch.subnet().name(),
                  start - e.pending().admittedAtMillis(),
                  end - start,
                  batch.predictedMillis(),
                  taken.size()));
    }
  }

  /** The client went away (its future was cancelled): out of the queue if it has not run. */
  private void withdraw(Entry<I, O> entry) {
    lock.lock();
    try {
      queue.remove(entry);
      metrics.queueDepth.labels(model).set(depth());
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code source.thenApply(f)}, except that cancelling the result cancels {@code source} too: a
   * caller further up can withdraw a request through any number of these stages.
   */
  public static <A, B> CompletableFuture<B> thenApply(
      CompletableFuture<A> source, java.util.function.Function<? super A, ? extends B> f) {
    CompletableFuture<B> out = source.thenApply(f);
    out.whenComplete(
        (r, e) -> {
          if (out.isCancelled()) {
            source.cancel(false);
          }
        });
    return out;
  }

  /** The timer's answer at {@code entry}'s timeout: 504, and out of the queue if it never ran. */
  private void expire(Entry<I, O> entry) {
    boolean queued;
    lock.lock();
    try {
      queued = queue.remove(entry);
      metrics.queueDepth.labels(model).set(depth());
    } finally {
      lock.unlock();
    }
    if (entry
        .result()
        .completeExceptionally(
            timedOut(entry, queued ? "it was still queued" : "it was still running"))) {
      metrics.timeouts.labels(model, queued ? "queue" : "run").inc();
    }
  }

  private ServingException.TimedOut timedOut(Entry<I, O> e, String where) {
    return new ServingException.TimedOut(
        String.format(
            java.util.Locale.ROOT,
            "the request timed out after %.0f ms (X-Request-Timeout-Ms, at most flexserve.request-timeout-seconds): %s",
            e.timeoutAtMillis() - e.pending().admittedAtMillis(),
            where));
  }

  private static long nanos(double millis) {
    return (long) (millis * 1e6);
  }

  /**
   * Removes the batch's requests from the queue (they are in queue order, so one pass finds them).
   */
  private List<Entry<I, O>> take(Batch batch) {
    java.util.Set<Long> ids = new java.util.HashSet<>();
    for (Pending p : batch.requests()) {
      ids.add(p.id());
    }
    List<Entry<I, O>> taken = new ArrayList<>(ids.size());
    for (java.util.Iterator<Entry<I, O>> it = queue.iterator(); it.hasNext(); ) {
      Entry<I, O> e = it.next();
      if (ids.contains(e.pending().id())) {
        taken.add(e);
        it.remove();
      }
    }
    return taken;
  }

  private List<Pending> pendings() {
    List<Pending> out = new ArrayList<>(queue.size());
    for (Entry<I, O> e : queue) {
      out.add(e.pending());
    }
    return out;
  }

  /**
   * When each worker is predicted to be free: busy ones at their run's predicted end, idle ones
   * now.
   */
  private double[] workerFreeAt(double now) {
    double[] out = new double[workers];
    java.util.Arrays.fill(out, now);
    int w = 0;
    for (Running r : running.values()) {
      out[w++] = Math.max(now, r.startMillis() + r.typicalMillis());
    }
    return out;
  }

  private int depth() {
    int inRuns = 0;
    for (Running r : running.values()) {
      inRuns += r.requests();
    }
    return queue.size() + inRuns;
  }

  private static double nowMillis() {
    return System.nanoTime() / 1e6;
  }

  /**
   * Stops admitting requests and waits up to {@code grace} for queued and running ones to finish.
   * The model's sessions may be closed only after this returns true: closing an ONNX Runtime
   * session under a running batch is a use-after-free in native code.
   *
   * @return whether every request finished in time
   */
  public boolean drain(Duration grace) throws InterruptedException {
    lock.lock();
    try {
      closed = true;
      workAvailable.signalAll();
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedJoin(t, left);
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Shutdown's grace period is over: stops admitting and answers every queued request 503 {@code
   * shutting_down}. A run in flight finishes and answers its own requests.
   */
  public void abandon() {
    lock.lock();
    try {
      closed = true;
      for (Entry<I, O> e : queue) {
        e.result()
            .completeExceptionally(
                new ServingException.NotReady("shutting_down", "model '" + model + "' shut down"));
      }
      queue.clear();
      workAvailable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    abandon();
  }
}
