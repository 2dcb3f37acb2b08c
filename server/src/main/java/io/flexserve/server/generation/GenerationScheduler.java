package io.flexserve.server.generation;

import ai.onnxruntime.OrtException;
import com.github.benmanes.caffeine.cache.Ticker;
import io.flexserve.models.llm.DecodeBatch;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.KvCache;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.router.generation.GenerationRouter;
import io.flexserve.router.generation.KvCompatibility;
import io.flexserve.router.generation.SwitchPlanner;
import io.flexserve.router.generation.SwitchRule;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.scheduling.WorkerPriority;
import io.flexserve.server.serving.ServingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous (iteration-level) batching for one decoder model. One thread loops:
 *
 * <pre>
 *   admit    waiting generations, up to maxRunning: prefill each on its sub-network, emit its first token
 *   move     rows between KV-compatible sub-networks, as this iteration's switch plan says
 *   step     every sub-network's batch once: one ONNX Runtime run feeds each row its last token
 *   emit     sample each row's next token; rows that finish (stop, length, cancelled) leave their batch
 * </pre>
 *
 * New requests join between steps and finished ones leave, so a long generation never holds up a
 * short one. The sub-network is chosen at admission ({@link SubnetChooser}, by the {@link
 * GenerationRouter}) from the request's targets and the current load.
 *
 * <p><b>Token-level switching.</b> A generation with a time-per-token target ({@code
 * X-TPOT-Target-Ms}, or one derived from {@code X-Latency-Target-Ms}: the time left over the tokens
 * left) that was not pinned with {@code X-Subnet} may move, between two tokens, to another
 * sub-network sharing its KV layout ({@link KvCompatibility}: same kept layers and KV groups, e.g.
 * {@code full} and {@code full-mlp50}): down when its recent inter-token time exceeds the target,
 * back up when it is comfortably ahead. Which rows move where is a pure decision in the router
 * ({@link SwitchPlanner}); {@link SubnetSwitching} snapshots the rows before an iteration's steps
 * and applies the plan: each moving row's cache is copied out of its batch ({@link
 * DecodeBatch#snapshot}), the row leaves, and the copy is handed to the new batch ({@link
 * DecodeBatch#adopt}); that batch's step then feeds the row its last sampled token together with
 * its other rows. So a move costs a cache copy, not a run of its own, and a moved row gets exactly
 * one token per iteration, like the others. A batch whose rows all may switch and agree moves as a
 * whole (a batch split in two pays two steps per iteration).
 *
 * <p><b>State and threads.</b> This class owns every generation's state: the waiting queue, the
 * running rows ({@link RunningRows}) and the jobs' fields are changed only by the loop thread. The
 * helpers ({@link SubnetSwitching}, {@link TokenEmitter}, {@link GenerationFinisher}) run on that
 * thread and hold no request state of their own. Request threads only queue jobs and read counts.
 * Time comes from an injected {@link Ticker} (nanoseconds), so tests can run the loop on a fake
 * clock; request arrival times must be read from the same clock.
 */
public final class GenerationScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationScheduler.class);

  private final String model;
  private final ElasticDecoder decoder;
  private final int maxPositions;
  private final int maxRunning;
  private final int queueCapacity;
  private final ServerMetrics metrics;
  private final Ticker ticker;
  private final LinkedBlockingQueue<GenerationJob> waiting = new LinkedBlockingQueue<>();
  private final RunningRows rows;
  private final AtomicLong ids = new AtomicLong();
  private final PrefixCache prefixes;
  private final SubnetChooser chooser;
  private final SubnetSwitching switching;
  private final TokenEmitter emitter;
  private final GenerationFinisher finisher;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean draining;

  /** Shutdown's grace period is over: the loop answers everything left 503 and stops. */
  private volatile boolean abandoned;

  /** When the step (or prefill) in flight started, and how long the last one took (router load). */
  private volatile double stepStartedMillis = Double.NaN;

  private volatile double lastStepMillis;

  /**
   * A scheduler on the system clock ({@link System#nanoTime}, as request arrival times are).
   *
   * @param prefixCacheBytes bound on cached prompt-prefix KV copies (0 disables the prefix cache)
   * @param workerNice Linux nice value of the loop thread, which runs every step ({@code
   *     flexserve.inference-nice}; 0 leaves it alone)
   */
  public GenerationScheduler(
      String model,
      ElasticDecoder decoder,
      List<DecoderProfile> menu,
      int maxRunning,
      int queueCapacity,
      long prefixCacheBytes,
      ServerMetrics metrics,
      int workerNice) {
    this(
        model,
        decoder,
        menu,
        maxRunning,
        queueCapacity,
        prefixCacheBytes,
        metrics,
        workerNice,
        Ticker.systemTicker());
  }

  /** As the public constructor, reading time from {@code ticker}. */
  GenerationScheduler(
      String model,
      ElasticDecoder decoder,
      List<DecoderProfile> menu,
      int maxRunning,
      int queueCapacity,
      long prefixCacheBytes,
      ServerMetrics metrics,
      int workerNice,
      Ticker ticker) {
    this.model = model;
    this.decoder = decoder;
    this.maxPositions = decoder.config().maxPositions();
    this.maxRunning = maxRunning;
    this.queueCapacity = queueCapacity;
    this.metrics = metrics;
    this.ticker = ticker;
    this.rows = new RunningRows(model, decoder, menu);
    this.chooser = new SubnetChooser(model, decoder.manifest(), menu, metrics);
    this.finisher = new GenerationFinisher(model, rows, chooser, metrics, ticker);
    this.switching =
        new SubnetSwitching(model, decoder, menu, rows, chooser, finisher, metrics, ticker);
    this.emitter = new TokenEmitter(model, decoder, metrics, ticker);
    var c = decoder.config();
    this.prefixes =
        new PrefixCache(
            prefixCacheBytes, 2L * c.layers() * c.kvHeads() * c.headDim() * Float.BYTES);
    this.thread =
        new Thread(
            () -> {
              WorkerPriority.applyToCurrentThread(workerNice);
              loop();
            },
            "flexserve-generate-" + model);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Admits a generation: chooses its sub-network and queues it. Events arrive on the scheduler
   * thread.
   *
   * @throws ServingException.NotReady when the scheduler is shutting down
   * @throws ServingException.Overloaded when the queue is full, or a strict request's targets
   *     cannot be met
   * @throws ServingException.InvalidChoice when {@code X-Subnet} names no sub-network of this model
   */
  public GenerationJob submit(GenerationRequest request, GenerationEvents events) {
    if (draining) {
      throw new ServingException.NotReady(
          "shutting_down", "the server is shutting down; send requests to another replica");
    }
    if (waiting.size() >= queueCapacity) {
      metrics.rejections.labels(model, "queue_full").inc();
      throw new ServingException.Overloaded(
          "queue_full", model + " has " + waiting.size() + " generations waiting; retry later", 1);
    }
    SubnetChooser.Start start = chooser.choose(request, load());
    metrics.decisions.labels(model, "generation-router", start.subnet()).inc();
    GenerationJob job =
        new GenerationJob(
            ids.incrementAndGet(),
            request,
            events,
            start.subnet(),
            start.predictedMs(),
            start.predictedTpotMs(),
            // the context bound, applied once: a generation ends at whichever comes first
            Math.min(request.maxTokens(), maxPositions - request.prompt().length),
            new TextStream(decoder.tokenizer(), request.prompt(), request.stop()));
    waiting.add(job);
    metrics.generationsWaiting.labels(model).set(waiting.size());
    return job;
  }

  /**
   * What is running now, for the router: remaining step time, prefills ahead, rows per sub-network.
   */
  private GenerationRouter.Load load() {
    double started = stepStartedMillis;
    double inFlight = Double.isNaN(started) ? 0 : Math.max(0, lastStepMillis - (now() - started));
    double prefillsAhead = 0;
    for (GenerationJob j : waiting) {
      prefillsAhead += j.request.prompt().length * chooser.profile(j.subnet).prefillMsPerToken();
    }
    return new GenerationRouter.Load(inFlight, prefillsAhead, rows.perSubnet());
  }

  /**
   * For tests: replaces the per-row switching decision (which generations may switch is unchanged).
   */
  void switcher(SwitchRule rule) {
    switching.rule(rule);
  }

  private void loop() {
    try {
      while (true) {
        if (abandoned) {
          failAll(
              new ServingException.NotReady(
                  "shutting_down", "the server shut down before this generation finished"));
          return;
        }
        admit();
        if (rows.count() == 0) {
          if (closed && waiting.isEmpty()) {
            return;
          }
          GenerationJob next = waiting.poll(50, TimeUnit.MILLISECONDS);
          if (next != null) {
            start(next);
          }
          continue;
        }
        if (switching.moveRows()) {
          metrics.generationsRunning.labels(model).set(rows.count());
        }
        for (String subnet : rows.subnets()) {
          step(subnet);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("{}: generation loop failed", model, e);
      failAll(e instanceof Exception ex ? ex : new RuntimeException(e));
    }
  }

  private void admit() {
    double now = now();
    waiting.removeIf(
        job -> {
          if (job.request.timedOut(now)) {
            finisher.timeOut(job, false);
            return true;
          }
          return false;
        });
    while (rows.count() < maxRunning) {
      GenerationJob job = waiting.poll();
      if (job == null) {
        break;
      }
      start(job);
    }
    metrics.generationsWaiting.labels(model).set(waiting.size());
    metrics.generationsRunning.labels(model).set(rows.count());
  }

  /**
   * Prefills {@code job} (from the longest cached prefix of its prompt) and emits its first token.
   */
  private void start(GenerationJob job) {
    if (job.cancelled()) {
      finisher.finish(job, "cancelled", false);
      return;
    }
    if (job.request.timedOut(now())) {
      finisher.timeOut(job, false);
      return;
    }
    job.startMillis = now();
    float[] logits;
    try {
      // prefill: only the prompt's tail past a cached prefix runs
      stepStartedMillis = now();
      DecodeBatch batch = rows.batch(job.subnet);
      long[] prompt = job.request.prompt();
      KvCache prefix = prefixes.enabled() ? prefixes.longest(job.subnet, prompt) : null;
      int cached = prefix == null ? 0 : prefix.length();
      logits = batch.join(job.id, prompt, prefix);
      lastStepMillis = now() - stepStartedMillis;
      metrics.prefixCacheLookups.labels(model, cached > 0 ? "hit" : "miss").inc();
      metrics.prefixCacheTokens.labels(model).inc(cached);
      // store this prompt's prefixes for later prompts that start the same way
      for (int k :
          prefixes.enabled() ? PrefixCache.boundaries(prompt, cached) : List.<Integer>of()) {
        if (!prefixes.contains(job.subnet, prompt, k)) {
          prefixes.put(job.subnet, prompt, k, batch.snapshot(job.id, k));
        }
      }
      rows.add(job);
      metrics.promptTokens.labels(model).inc(job.request.prompt().length);
      emit(job, logits);
    } catch (OrtException | RuntimeException e) {
      LOG.warn("{}: prefill failed", model, e);
      rows.forget(job);
      finisher.fail(job, e);
    }
  }

  /** One decode step of every row of {@code subnet}'s batch. */
  private void step(String subnet) {
    Map<Long, GenerationJob> on = rows.on(subnet);
    // rows whose client went away or whose time ran out leave before the step
    double now = now();
    for (GenerationJob job : new ArrayList<>(on.values())) {
      if (job.cancelled()) {
        finisher.finish(job, "cancelled", true);
      } else if (job.request.timedOut(now)) {
        finisher.timeOut(job, true);
      }
    }
    if (on.isEmpty()) {
      return;
    }
    Map<Long, Long> next = new HashMap<>();
    on.forEach((id, job) -> next.put(id, job.lastToken));
    Map<Long, float[]> logits;
    try {
      stepStartedMillis = now();
      logits = rows.batch(subnet).step(next);
      lastStepMillis = now() - stepStartedMillis;
    } catch (OrtException | RuntimeException e) {
      LOG.warn("{}: decode step on {} failed", model, subnet, e);
      for (GenerationJob job : new ArrayList<>(on.values())) {
        finisher.leave(job);
        finisher.fail(job, e);
      }
      return;
    }
    for (GenerationJob job : new ArrayList<>(on.values())) {
      emit(job, logits.get(job.id));
    }
  }

  private void emit(GenerationJob job, float[] logits) {
    String end = emitter.emit(job, logits);
    if (end != null) {
      finisher.finish(job, end, true);
    }
  }

  private void failAll(Exception e) {
    rows.drainAll().forEach(job -> job.events.fail(e));
    for (GenerationJob job; (job = waiting.poll()) != null; ) {
      job.events.fail(e);
    }
  }

  private double now() {
    return ticker.read() / 1e6;
  }

  /**
   * Stops admitting, then waits up to {@code grace} for every queued and running generation to
   * finish. The grace is real time (this thread sleeps through it), so it is read from the system
   * clock, not the scheduler's ticker.
   */
  public boolean drain(Duration grace) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline) {
      if (waiting.isEmpty() && rows.count() == 0) {
        return true;
      }
      Thread.sleep(10);
    }
    return waiting.isEmpty() && rows.count() == 0;
  }

  /**
   * Answers every waiting and running generation 503 {@code shutting_down} at the loop's next step,
   * then stops it.
   */
  public void abandon() {
    draining = true;
    abandoned = true;
  }

  @Override
  public void close() throws Exception {
    closed = true;
    draining = true;
    thread.join(5000);
    rows.close();
    prefixes.close();
  }
}
