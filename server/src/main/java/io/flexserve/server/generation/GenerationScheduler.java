package io.flexserve.server.generation;

import ai.onnxruntime.OrtException;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.runtime.DecodeBatch;
import io.flexserve.models.runtime.ElasticDecoder;
import io.flexserve.models.runtime.KvCache;
import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.router.generation.GenerationRouter;
import io.flexserve.router.generation.KvCompatibility;
import io.flexserve.router.generation.StepTimeCorrection;
import io.flexserve.router.generation.TokenSwitchPolicy;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.serving.ServingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 *   step     every sub-network's batch once: one ONNX Runtime run feeds each row its last token
 *   emit     sample each row's next token; rows that finish (stop, length, cancelled) leave their batch
 * </pre>
 *
 * New requests join between steps and finished ones leave, so a long generation never holds up a
 * short one. The sub-network is chosen at admission ({@link GenerationRouter}) from the request's
 * targets and the current load.
 *
 * <p><b>Token-level switching.</b> A generation with a time-per-token target ({@code
 * X-TPOT-Target-Ms}, or one derived from {@code X-Latency-Target-Ms}: the time left over the tokens
 * left) that was not pinned with {@code X-Subnet} may move, between two tokens, to another
 * sub-network sharing its KV layout ({@link KvCompatibility}: same kept layers and KV groups, e.g.
 * {@code full} and {@code full-mlp50}): down when its recent inter-token time exceeds the target,
 * back up when it is comfortably ahead ({@link TokenSwitchPolicy}). Before an iteration's steps,
 * each moving row's cache is copied out of its batch ({@link DecodeBatch#snapshot}), the row
 * leaves, and the copy is handed to the new batch ({@link DecodeBatch#adopt}); that batch's step
 * then feeds the row its last sampled token together with its other rows. So a move costs a cache
 * copy, not a run of its own, and a moved row gets exactly one token per iteration, like the
 * others. A batch whose rows all may switch and agree moves as a whole (a batch split in two pays
 * two steps per iteration).
 */
public final class GenerationScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationScheduler.class);

  private final String model;
  private final ElasticDecoder decoder;
  private final List<DecoderProfile> menu;
  private final int maxRunning;
  private final int queueCapacity;
  private final ServerMetrics metrics;
  private final LinkedBlockingQueue<GenerationJob> waiting = new LinkedBlockingQueue<>();
  private final Map<String, DecodeBatch> batches = new LinkedHashMap<>();
  private final Map<String, Map<Long, GenerationJob>> running = new LinkedHashMap<>();
  private final Set<Integer> eos;
  private final AtomicLong ids = new AtomicLong();
  private final PrefixCache prefixes;

  /**
   * Scales the load-time profiles by what finished generations really took per token (guarded by
   * itself).
   */
  private final StepTimeCorrection correction = new StepTimeCorrection();

  /**
   * Per sub-network, those sharing its KV layout (itself included), in menu order: largest (most
   * accurate) first.
   */
  private final Map<String, List<DecoderProfile>> compatible = new HashMap<>();

  private volatile Switcher switcher = TokenSwitchPolicy.DEFAULT::decide;
  static final Switcher DEFAULT_SWITCHER = TokenSwitchPolicy.DEFAULT::decide;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean draining;

  /** Shutdown's grace period is over: the loop answers everything left 503 and stops. */
  private volatile boolean abandoned;

  private volatile double stepStartedMillis = Double.NaN;
  private volatile double lastStepMillis;

  /**
   * @param prefixCacheBytes bound on cached prompt-prefix KV copies (0 disables the prefix cache)
   */
  public GenerationScheduler(
      String model,
      ElasticDecoder decoder,
      List<DecoderProfile> menu,
      int maxRunning,
      int queueCapacity,
      long prefixCacheBytes,
      ServerMetrics metrics) {
    this.model = model;
    this.decoder = decoder;
    this.menu = List.copyOf(menu);
    this.maxRunning = maxRunning;
    this.queueCapacity = queueCapacity;
    this.metrics = metrics;
    for (DecoderProfile p : menu) {
      batches.put(p.name(), new DecodeBatch(decoder.session(p.name())));
      running.put(
          p.name(), new ConcurrentHashMap<>()); // read by request threads (router load, drain)
    }
    Map<String, List<KvCompatibility.KvLayer>> layouts = new LinkedHashMap<>();
    for (var s : decoder.manifest().subnets()) {
      if (batches.containsKey(s.name())) {
        layouts.put(
            s.name(),
            s.layers().stream()
                .map(l -> new KvCompatibility.KvLayer(l.index(), l.kvGroups()))
                .toList());
      }
    }
    KvCompatibility kv = new KvCompatibility(layouts);
    for (DecoderProfile p : menu) {
      // menu order: largest first; compatible sub-networks are nested (a wider MLP keeps more), so
      // most accurate first
      compatible.put(p.name(), kv.compatibleWith(p.name()).stream().map(this::profile).toList());
    }
    this.eos = Set.copyOf(decoder.config().eosTokenIds());
    var c = decoder.config();
    this.prefixes =
        new PrefixCache(
            prefixCacheBytes, 2L * c.layers() * c.kvHeads() * c.headDim() * Float.BYTES);
    this.thread = new Thread(this::loop, "flexserve-generate-" + model);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Admits a generation: chooses its sub-network and queues it. Events arrive on the scheduler
   * thread.
   *
   * @throws ServingException.Overloaded when the queue is full, or a strict request's targets
   *     cannot be met
   * @throws ServingException.InvalidValue when {@code X-Subnet} names no sub-network of this model
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
    String subnet;
    double predicted;
    double predictedTpot;
    if (request.forcedSubnet().isPresent()) {
      subnet = atRank(request.forcedSubnet().get(), request.eoraRank());
      if (!batches.containsKey(subnet)) {
        throw new ServingException.InvalidChoice(
            "unknown_subnet",
            "X-Subnet '"
                + subnet
                + "' is not a sub-network of "
                + model
                + "; choose one of "
                + batches.keySet());
      }
      DecoderProfile p =
          menu.stream().filter(x -> x.name().equals(subnet)).findFirst().orElseThrow();
      GenerationRouter.Choice c =
          GenerationRouter.choose(
              corrected(List.of(p)),
              request.prompt().length,
              request.maxTokens(),
              request.targets(),
              load());
      predicted = c.totalMs();
      predictedTpot = c.tpotMs();
    } else {
      GenerationRouter.Choice c =
          GenerationRouter.choose(
              corrected(menuAt(request.eoraRank())),
              request.prompt().length,
              request.maxTokens(),
              request.targets(),
              load());
      if (!c.meets() && request.targets().any() && request.policy() == DeadlinePolicy.STRICT) {
        metrics.rejections.labels(model, "deadline_unsatisfiable").inc();
        throw new ServingException.Overloaded(
            "deadline_unsatisfiable",
            String.format(
                "no sub-network of %s meets the targets now: fastest predicts first token %.1f ms, %.1f ms/token, %.1f ms in all",
                model, c.ttftMs(), c.tpotMs(), c.totalMs()),
            1);
      }
      subnet = c.profile().name();
      predicted = c.totalMs();
      predictedTpot = c.tpotMs();
    }
    metrics.decisions.labels(model, "generation-router", subnet).inc();
    GenerationJob job =
        new GenerationJob(
            ids.incrementAndGet(),
            request,
            events,
            subnet,
            predicted,
            predictedTpot,
            new TextStream(decoder.tokenizer(), request.prompt(), request.stop()));
    waiting.add(job);
    metrics.generationsWaiting.labels(model).set(waiting.size());
    return job;
  }

  private List<DecoderProfile> corrected(List<DecoderProfile> profiles) {
    synchronized (correction) {
      return correction.apply(profiles);
    }
  }

  /**
   * What is running now, for the router: remaining step time, prefills ahead, rows per sub-network.
   */
  private GenerationRouter.Load load() {
    Map<String, Integer> rows = new HashMap<>();
    running.forEach((name, jobs) -> rows.put(name, jobs.size()));
    double inFlight =
        Double.isNaN(stepStartedMillis)
            ? 0
            : Math.max(0, lastStepMillis - (now() - stepStartedMillis));
    double prefillsAhead = 0;
    for (GenerationJob j : waiting) {
      DecoderProfile p = profile(j.subnet);
      prefillsAhead += j.request.prompt().length * p.prefillMsPerToken();
    }
    return new GenerationRouter.Load(inFlight, prefillsAhead, rows);
  }

  private DecoderProfile profile(String subnet) {
    return menu.stream().filter(x -> x.name().equals(subnet)).findFirst().orElseThrow();
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
        if (runningCount() == 0) {
          if (closed && waiting.isEmpty()) {
            return;
          }
          GenerationJob next = waiting.poll(50, TimeUnit.MILLISECONDS);
          if (next != null) {
            start(next);
          }
          continue;
        }
        moveRows();
        for (String subnet : batches.keySet()) {
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

  private int runningCount() {
    return running.values().stream().mapToInt(Map::size).sum();
  }

  private void admit() {
    double now = now();
    waiting.removeIf(
        job -> {
          if (job.request.timedOut(now)) {
            timeOut(job, false);
            return true;
          }
          return false;
        });
    while (runningCount() < maxRunning) {
      GenerationJob job = waiting.poll();
      if (job == null) {
        break;
      }
      start(job);
    }
    metrics.generationsWaiting.labels(model).set(waiting.size());
    metrics.generationsRunning.labels(model).set(runningCount());
  }

  /** Prefills {@code job} and emits its first token. */
  private void start(GenerationJob job) {
    if (job.cancelled()) {
      finish(job, "cancelled", false);
      return;
    }
    if (job.request.timedOut(now())) {
      timeOut(job, false);
      return;
    }
    job.startMillis = now();
    try {
      stepStartedMillis = now();
      DecodeBatch batch = batches.get(job.subnet);
      long[] prompt = job.request.prompt();
      KvCache prefix = prefixes.enabled() ? prefixes.longest(job.subnet, prompt) : null;
      int cached = prefix == null ? 0 : prefix.length();
      float[] logits = batch.join(job.id, prompt, prefix);
      lastStepMillis = now() - stepStartedMillis;
      metrics.prefixCacheLookups.labels(model, cached > 0 ? "hit" : "miss").inc();
      metrics.prefixCacheTokens.labels(model).inc(cached);
      for (int k :
          prefixes.enabled() ? PrefixCache.boundaries(prompt, cached) : List.<Integer>of()) {
        if (!prefixes.contains(job.subnet, prompt, k)) {
          prefixes.put(job.subnet, prompt, k, batch.snapshot(job.id, k));
        }
      }
      running.get(job.subnet).put(job.id, job);
      metrics.promptTokens.labels(model).inc(job.request.prompt().length);
      emit(job, logits);
    } catch (OrtException | RuntimeException e) {
      LOG.warn("{}: prefill failed", model, e);
      running.get(job.subnet).remove(job.id);
      job.events.fail(e);
      metrics.generations.labels(model, "error").inc();
    }
  }

  /** One decode step of every row of {@code subnet}'s batch. */
  private void step(String subnet) {
    Map<Long, GenerationJob> rows = running.get(subnet);
    double now = now();
    for (GenerationJob job : new ArrayList<>(rows.values())) {
      if (job.cancelled()) {
        finish(job, "cancelled", true);
      } else if (job.request.timedOut(now)) {
        timeOut(job, true);
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    Map<Long, Long> next = new HashMap<>();
    rows.forEach((id, job) -> next.put(id, job.lastToken));
    Map<Long, float[]> logits;
    try {
      stepStartedMillis = now();
      logits = batches.get(subnet).step(next);
      lastStepMillis = now() - stepStartedMillis;
    } catch (OrtException | RuntimeException e) {
      LOG.warn("{}: decode step on {} failed", model, subnet, e);
      for (GenerationJob job : new ArrayList<>(rows.values())) {
        leave(job);
        job.events.fail(e);
        metrics.generations.labels(model, "error").inc();
      }
      return;
    }
    for (GenerationJob job : new ArrayList<>(rows.values())) {
      emit(job, logits.get(job.id));
    }
  }

  /** Decides a move between KV-compatible sub-networks (null to stay); replaceable by tests. */
  @FunctionalInterface
  interface Switcher {
    /**
     * @param moving rows of the current batch considered moving together (this one among them)
     */
    String decide(
        TokenSwitchPolicy.State state,
        double tpotTargetMs,
        List<DecoderProfile> compatible,
        Map<String, Integer> rowsPerSubnet,
        int moving);
  }

  /**
   * For tests: replaces {@link TokenSwitchPolicy#DEFAULT} (which generations may switch is
   * unchanged).
   */
  void switcher(Switcher s) {
    this.switcher = s;
  }

  /**
   * Sub-networks {@code job} may move between; empty when it may not switch (no target, X-Subnet,
   * nothing compatible).
   */
  private List<DecoderProfile> switchable(GenerationJob job) {
    var t = job.request.targets();
    if (job.request.forcedSubnet().isPresent() || (t.tpotMs() == null && t.totalMs() == null)) {
      return List.of();
    }
    List<DecoderProfile> c = compatible.get(job.subnet);
    if (job.request.eoraRank().isPresent()) {
      c =
          c.stream()
              .filter(
                  p -> decoder.manifest().eoraRankOf(p.name()) == job.request.eoraRank().getAsInt())
              .toList();
    }
    return c.size() < 2 ? List.of() : c;
  }

  /**
   * The menu a request routes over: every entry, or with {@code X-EoRA-Rank} only those at that
   * compensation rank (the rank is then fixed and the router chooses the sub-network).
   */
  private List<DecoderProfile> menuAt(java.util.OptionalInt rank) {
    if (rank.isEmpty()) {
      return menu;
    }
    List<DecoderProfile> at =
        menu.stream()
            .filter(p -> decoder.manifest().eoraRankOf(p.name()) == rank.getAsInt())
            .toList();
    return at.isEmpty() ? menu : at;
  }

  /**
   * {@code X-Subnet} at {@code X-EoRA-Rank}: the entry of the same layers at that rank, in the same
   * precision when it has one (a float32 entry asked for a rank gets the compensated compressed
   * entry); the name as given otherwise. An entry that already names a different rank ({@code
   * full.int4.r16} with rank 8) is a 422: the headers conflict.
   */
  private String atRank(String forced, java.util.OptionalInt rank) {
    if (rank.isEmpty()) {
      return forced;
    }
    List<DecoderManifest.Subnet> all = decoder.manifest().subnets();
    DecoderManifest.Subnet asked =
        all.stream().filter(s -> s.name().equals(forced)).findFirst().orElse(null);
    if (asked == null) {
      return forced;
    }
    if (asked.eoraRank() > 0 && asked.eoraRank() != rank.getAsInt()) {
      throw new ServingException.InvalidChoice(
          "conflicting_headers",
          "X-Subnet '"
              + forced
              + "' runs EoRA rank "
              + asked.eoraRank()
              + " but X-EoRA-Rank asks for "
              + rank.getAsInt()
              + "; send one of them, or the sub-network's base name ('"
              + asked.base()
              + "') with X-EoRA-Rank");
    }
    List<DecoderManifest.Subnet> atRank =
        all.stream()
            .filter(s -> s.layers().equals(asked.layers()) && s.eoraRank() == rank.getAsInt())
            .toList();
    return atRank.stream()
        .filter(s -> s.precision().equals(asked.precision()))
        .findFirst()
        .or(() -> atRank.stream().findFirst())
        .map(DecoderManifest.Subnet::name)
        .orElse(DecoderManifest.Subnet.variantName(forced, rank.getAsInt()));
  }

  /**
   * The job's time-per-token target now: its TPOT target, or what its total target leaves per
   * remaining token.
   */
  private static double tpotTarget(GenerationJob job, double now) {
    var t = job.request.targets();
    double target = t.tpotMs() == null ? Double.POSITIVE_INFINITY : t.tpotMs();
    int remaining = job.request.maxTokens() - job.generated;
    if (t.totalMs() != null && remaining > 0) {
      target = Math.min(target, (job.request.arrivalMillis() + t.totalMs() - now) / remaining);
    }
    return target;
  }

  private static TokenSwitchPolicy.State state(GenerationJob job) {
    return new TokenSwitchPolicy.State(
        job.subnet,
        job.recentTpotMillis,
        job.tokensOnSubnet,
        job.generated - job.stepDownAt,
        job.stepDowns);
  }

  /**
   * Decides this iteration's moves and takes each moving row out of its batch. A batch whose rows
   * may all switch and all agree on where to go, judged as moving together, moves as a whole;
   * otherwise rows decide alone, with at most one step up per iteration (each prediction assumed
   * the others stay).
   */
  private void moveRows() {
    Set<Long> moved = new java.util.HashSet<>();
    Map<String, Integer> rows = new HashMap<>();
    running.forEach((name, jobs) -> rows.put(name, jobs.size()));
    boolean steppedUp = false;
    double now = now();
    for (Map<Long, GenerationJob> jobs : running.values()) {
      List<GenerationJob> all = new ArrayList<>(jobs.values());
      String together = all.size() >= 2 ? together(all, rows, now) : null;
      for (GenerationJob job : all) {
        List<DecoderProfile> c = switchable(job);
        if (c.isEmpty() || job.cancelled() || moved.contains(job.id)) {
          continue;
        }
        String to =
            together != null
                ? together
                : switcher.decide(state(job), tpotTarget(job, now), c, Map.copyOf(rows), 1);
        if (to == null || to.equals(job.subnet) || c.stream().noneMatch(p -> p.name().equals(to))) {
          continue;
        }
        boolean down = profile(to).decodeMs() < profile(job.subnet).decodeMs();
        if (!down && steppedUp && together == null) {
          continue; // one step up per iteration: each prediction assumed the others stay
        }
        steppedUp |= !down;
        String from = job.subnet;
        if (move(job, to, down)) {
          moved.add(job.id);
          rows.merge(from, -1, Integer::sum);
          rows.merge(to, 1, Integer::sum);
        }
      }
    }
    if (!moved.isEmpty()) {
      metrics.generationsRunning.labels(model).set(runningCount());
    }
  }

  /**
   * Moves {@code job}'s row to {@code to}'s batch: copy its cache out, leave, hand the copy over.
   * False if it failed.
   */
  private boolean move(GenerationJob job, String to, boolean down) {
    String from = job.subnet;
    DecodeBatch source = batches.get(from);
    KvCache cache = null;
    try {
      cache = source.snapshot(job.id, source.length(job.id));
      if (cache.length() != job.request.prompt().length + job.generated - 1) {
        throw new IllegalStateException(
            "generation "
                + job.id
                + " has "
                + cache.length()
                + " cached tokens, expected "
                + (job.request.prompt().length + job.generated - 1));
      }
      source.leave(job.id);
      batches.get(to).adopt(job.id, cache); // the batch owns the copy from here on
      cache = null;
      job.subnet = to;
      running.get(to).put(job.id, job); // in before out: other threads never see the row missing
      running.get(from).remove(job.id);
    } catch (OrtException | RuntimeException e) {
      LOG.warn("{}: moving generation {} from {} to {} failed", model, job.id, from, to, e);
      if (cache != null) {
        closeQuietly(cache);
      }
      running.get(from).remove(job.id);
      running.get(to).remove(job.id);
      for (DecodeBatch b : List.of(source, batches.get(to))) {
        try {
          b.leave(job.id);
        } catch (OrtException | RuntimeException ignored) {
          // not there
        }
      }
      job.events.fail(e);
      metrics.generations.labels(model, "error").inc();
      return false;
    }
    metrics.subnetSwitches.labels(model, from, to).inc();
    job.recentTpotMillis = Double.NaN;
    job.tokensOnSubnet = 0;
    if (down) {
      job.stepDownAt = job.generated;
      job.stepDowns++;
    }
    return true;
  }

  /**
   * Where a whole batch moves together, or null: every row must be allowed to switch; if any row,
   * judging the batch's move, wants to step down, all go to the quickest of those step downs (a
   * batch split in two pays two steps per iteration); if every row wants to step up, all go to the
   * least ambitious of those.
   */
  private String together(List<GenerationJob> all, Map<String, Integer> rows, double now) {
    String down = null;
    String up = null;
    boolean allUp = true;
    String from = all.get(0).subnet;
    for (GenerationJob job : all) {
      List<DecoderProfile> c = switchable(job);
      if (c.isEmpty() || job.cancelled()) {
        return null;
      }
      String to =
          switcher.decide(state(job), tpotTarget(job, now), c, Map.copyOf(rows), all.size());
      if (to == null || to.equals(from) || c.stream().noneMatch(p -> p.name().equals(to))) {
        allUp = false;
        continue;
      }
      if (profile(to).decodeMs() < profile(from).decodeMs()) {
        allUp = false;
        if (down == null || profile(to).decodeMs() < profile(down).decodeMs()) {
          down = to;
        }
      } else if (up == null || profile(to).decodeMs() < profile(up).decodeMs()) {
        up = to;
      }
    }
    return down != null ? down : allUp ? up : null;
  }

  private void closeQuietly(KvCache cache) {
    try {
      cache.close();
    } catch (Exception e) {
      LOG.warn("{}: closing a cache copy failed: {}", model, e.toString());
    }
  }

  /**
   * Samples the next token of {@code job} from {@code logits}, sends it, and ends the job when it
   * is done.
   */
  private void emit(GenerationJob job, float[] logits) {
    int vocab = decoder.config().vocabSize();
    logits = job.request.adjustments().apply(logits, vocab, job.generatedCounts);
    int token = job.sampler.next(logits, 0, vocab);
    double t = now();
    if (Double.isNaN(job.firstTokenMillis)) {
      job.firstTokenMillis = t;
      metrics
          .timeToFirstToken
          .labels(model, job.subnet)
          .observe((t - job.request.arrivalMillis()) / 1000);
    } else {
      double gap = t - job.lastTokenMillis;
      metrics.interTokenLatency.labels(model, job.subnet).observe(gap / 1000);
      job.recentTpotMillis =
          Double.isNaN(job.recentTpotMillis) ? gap : 0.5 * gap + 0.5 * job.recentTpotMillis;
      job.tokensOnSubnet++;
    }
    long previous =
        job.generated == 0
            ? job.request.prompt()[job.request.prompt().length - 1]
            : job.tokens[job.generated - 1];
    job.lastTokenMillis = t;
    job.lastToken = token;
    job.addToken(token);
    job.generated++;
    job.tokensPerSubnet.merge(job.subnet, 1, Integer::sum);
    metrics.generatedTokens.labels(model, job.subnet).inc();
    boolean end = eos.contains(token);
    TextStream.Delta delta = end ? new TextStream.Delta("", false) : job.text.add(token);
    Double logprob = null;
    Map<String, Double> top = null;
    if (job.request.logprobs() != null) {
      logprob = job.sampler.logprob(logits, 0, vocab, token);
      top = new LinkedHashMap<>();
      for (Map.Entry<Integer, Double> e :
          job.sampler.topLogprobs(logits, 0, vocab, job.request.logprobs())) {
        top.put(decoder.tokenizer().piece(previous, e.getKey()), e.getValue());
      }
    }
    // logprobs pieces are the exact text each token adds (leading space included), so they join
    // into the completion
    String piece = logprob == null ? null : decoder.tokenizer().piece(previous, token);
    job.events.token(
        new GenerationEvents.Token(token, delta.text(), piece, job.subnet, logprob, top));
    int contextLeft = decoder.config().maxPositions() - job.request.prompt().length - job.generated;
    if (end || delta.stopped()) {
      finish(job, "stop", true);
    } else if (job.generated >= job.request.maxTokens() || contextLeft <= 0) {
      finish(job, "length", true);
    }
  }

  private void finish(GenerationJob job, String reason, boolean wasRunning) {
    if (wasRunning) {
      leave(job);
    }
    double now = now();
    double arrival = job.request.arrivalMillis();
    double total = now - arrival;
    double ttft = Double.isNaN(job.firstTokenMillis) ? Double.NaN : job.firstTokenMillis - arrival;
    double queue = (Double.isNaN(job.startMillis) ? now : job.startMillis) - arrival;
    if (job.generated > 1 && !reason.equals("cancelled")) {
      synchronized (correction) {
        correction.observe(
            job.predictedTpotMillis,
            (job.lastTokenMillis - job.firstTokenMillis) / (job.generated - 1));
      }
    }
    Boolean met = null;
    var t = job.request.targets();
    if (t.any() && !reason.equals("cancelled")) {
      double tpot =
          job.generated > 1
              ? (job.lastTokenMillis - job.firstTokenMillis) / (job.generated - 1)
              : 0;
      met =
          (t.totalMs() == null || total <= t.totalMs())
              && (t.ttftMs() == null || ttft <= t.ttftMs())
              && (t.tpotMs() == null || tpot <= t.tpotMs());
      metrics.deadlines.labels(model, job.initialSubnet, met ? "met" : "missed").inc();
    }
    metrics.generations.labels(model, reason).inc();
    if (!reason.equals("cancelled")) {
      metrics.requestLatency.labels(model, job.initialSubnet).observe(total / 1000);
    }
    job.events.finish(
        new GenerationEvents.Finish(
            reason,
            reason.equals("stop") ? "" : job.text.flush(),
            job.request.prompt().length,
            job.generated,
            java.util.Collections.unmodifiableMap(new LinkedHashMap<>(job.tokensPerSubnet)),
            queue,
            ttft,
            total,
            job.predictedMillis,
            met,
            job.tokensPerSubnet.isEmpty()
                ? List.of(job.initialSubnet)
                : List.copyOf(job.tokensPerSubnet.keySet())));
  }

  private void leave(GenerationJob job) {
    running.get(job.subnet).remove(job.id);
    try {
      batches.get(job.subnet).leave(job.id);
    } catch (OrtException e) {
      // Freeing a row's cache failed; the row is gone from the batch either way, so keep serving
      // the others.
      LOG.warn("{}: freeing the cache of generation {} failed: {}", model, job.id, e.toString());
    }
    metrics.generationsRunning.labels(model).set(runningCount());
  }

  /** Ends {@code job} at its timeout: out of its batch (cache freed), 504 to the client. */
  private void timeOut(GenerationJob job, boolean wasRunning) {
    if (wasRunning) {
      leave(job);
    }
    metrics.timeouts.labels(model, wasRunning ? "run" : "queue").inc();
    metrics.generations.labels(model, "timeout").inc();
    job.events.fail(
        new ServingException.TimedOut(
            String.format(
                java.util.Locale.ROOT,
                "the generation timed out after %.0f ms (X-Request-Timeout-Ms, at most flexserve.request-timeout-seconds) "
                    + "with %d tokens generated",
                job.request.timeoutMillis(),
                job.generated)));
  }

  private void failAll(Exception e) {
    for (Map<Long, GenerationJob> rows : running.values()) {
      for (GenerationJob job : new ArrayList<>(rows.values())) {
        job.events.fail(e);
      }
      rows.clear();
    }
    for (GenerationJob job; (job = waiting.poll()) != null; ) {
      job.events.fail(e);
    }
  }

  private static double now() {
    return System.nanoTime() / 1e6;
  }

  /**
   * Stops admitting, then waits up to {@code grace} for every queued and running generation to
   * finish.
   */
  public boolean drain(Duration grace) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline) {
      if (waiting.isEmpty() && runningCount() == 0) {
        return true;
      }
      Thread.sleep(10);
    }
    return waiting.isEmpty() && runningCount() == 0;
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
    for (DecodeBatch b : batches.values()) {
      b.close();
    }
    prefixes.close();
  }
}
