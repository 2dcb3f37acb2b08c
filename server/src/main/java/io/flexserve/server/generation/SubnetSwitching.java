package io.flexserve.server.generation;

import com.github.benmanes.caffeine.cache.Ticker;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.router.generation.KvCompatibility;
import io.flexserve.router.generation.SwitchPlan;
import io.flexserve.router.generation.SwitchPlanner;
import io.flexserve.router.generation.SwitchRule;
import io.flexserve.router.generation.TokenSwitchPolicy;
import io.flexserve.server.metrics.ServerMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token-level switching, the scheduler's side: before an iteration's steps, snapshot every batch's
 * rows, let {@link SwitchPlanner} decide the moves (the policy lives there, in the router), and
 * apply them. A move copies the row's cache out of its batch and hands it to the new batch, whose
 * step then feeds the row its last token with its other rows; so a move costs a cache copy, not a
 * run of its own. Scheduler thread only, except {@link #rule}, which tests replace.
 */
final class SubnetSwitching {
  private static final Logger LOG = LoggerFactory.getLogger(SubnetSwitching.class);

  /** The decision generations get unless a test replaced it. */
  static final SwitchRule DEFAULT_RULE = TokenSwitchPolicy.DEFAULT;

  private final String model;
  private final RunningRows rows;
  private final SubnetChooser chooser;
  private final GenerationFinisher finisher;
  private final ServerMetrics metrics;
  private final Ticker ticker;

  /**
   * Per sub-network, those sharing its KV layout (itself included), in menu order: largest (most
   * accurate) first.
   */
  private final Map<String, List<DecoderProfile>> compatible = new HashMap<>();

  private volatile SwitchRule rule = DEFAULT_RULE;

  SubnetSwitching(
      String model,
      ElasticDecoder decoder,
      List<DecoderProfile> menu,
      RunningRows rows,
      SubnetChooser chooser,
      GenerationFinisher finisher,
      ServerMetrics metrics,
      Ticker ticker) {
    this.model = model;
    this.rows = rows;
    this.chooser = chooser;
    this.finisher = finisher;
    this.metrics = metrics;
    this.ticker = ticker;
    Map<String, List<KvCompatibility.KvLayer>> layouts = new LinkedHashMap<>();
    for (var s : decoder.manifest().subnets()) {
      if (rows.has(s.name())) {
        layouts.put(
            s.name(),
            s.layers().stream()
                .map(l -> new KvCompatibility.KvLayer(l.index(), l.kvGroups()))
                .toList());
      }
    }
    KvCompatibility kv = new KvCompatibility(layouts);
    for (DecoderProfile p : menu) {
      // compatible sub-networks are nested (a wider MLP keeps more), so menu order is most
      // accurate first
      compatible.put(p.name(), kv.compatibleWith(p.name()).stream().map(chooser::profile).toList());
    }
  }

  /**
   * Replaces the per-row decision ({@link TokenSwitchPolicy#DEFAULT}); which rows may move stays.
   */
  void rule(SwitchRule rule) {
    this.rule = rule;
  }

  /** Plans this iteration's moves and applies them; true if any row moved. */
  boolean moveRows() {
    long now = ticker.read();
    List<SwitchPlanner.Batch> batches = new ArrayList<>();
    for (String subnet : rows.subnets()) {
      List<SwitchPlanner.Row> snapshot = new ArrayList<>();
      for (GenerationJob job : rows.on(subnet).values()) {
        snapshot.add(snapshot(job));
      }
      batches.add(new SwitchPlanner.Batch(chooser.profile(subnet), snapshot));
    }
    SwitchPlan plan = new SwitchPlanner(rule).plan(batches, now);
    for (SwitchPlan.Move move : plan.moves()) {
      GenerationJob job = rows.on(move.from()).get(move.row());
      if (job != null) {
        apply(job, move);
      }
    }
    return !plan.isEmpty();
  }

  /** What the planner needs to know of {@code job}. */
  private SwitchPlanner.Row snapshot(GenerationJob job) {
    GenerationRequest r = job.request;
    return new SwitchPlanner.Row(
        job.id,
        r.forcedSubnet().isPresent(),
        job.cancelled(),
        r.targets(),
        (long) (r.arrivalMillis() * 1e6),
        r.maxTokens() - job.generated,
        reachable(job),
        job.recentTpotMillis,
        job.tokensOnSubnet,
        job.generated - job.stepDownAt,
        job.stepDowns);
  }

  /** The sub-networks {@code job}'s cache is valid on: its KV layout, at its EoRA rank if asked. */
  private List<DecoderProfile> reachable(GenerationJob job) {
    List<DecoderProfile> c = compatible.get(job.subnet);
    if (job.request.eoraRank().isPresent()) {
      int rank = job.request.eoraRank().getAsInt();
      c = c.stream().filter(p -> chooser.atRank(p.name(), rank)).toList();
    }
    return c;
  }

  private void apply(GenerationJob job, SwitchPlan.Move move) {
    try {
      rows.move(job, move.to());
    } catch (Exception e) {
      LOG.warn(
          "{}: moving generation {} from {} to {} failed",
          model,
          job.id,
          move.from(),
          move.to(),
          e);
      finisher.fail(job, e);
      return;
    }
    metrics.subnetSwitches.labels(model, move.from(), move.to()).inc();
    // the new sub-network's pace is unknown until it is observed there
    job.recentTpotMillis = Double.NaN;
    job.tokensOnSubnet = 0;
    if (move.down()) {
      job.stepDownAt = job.generated;
      job.stepDowns++;
    }
  }
}
