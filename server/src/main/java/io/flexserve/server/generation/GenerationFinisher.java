package io.flexserve.server.generation;

import com.github.benmanes.caffeine.cache.Ticker;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.serving.ServingException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Ends generations: takes the row out of its batch, judges the deadline (the request's targets
 * against what it took, by {@link io.flexserve.router.generation.GenerationTargets#metBy}, the same
 * reading of the targets the router predicted with), feeds the observed time per token back to the
 * router's correction, records the metrics, and sends the one final event. Scheduler thread only.
 */
final class GenerationFinisher {
  private final String model;
  private final RunningRows rows;
  private final SubnetChooser chooser;
  private final ServerMetrics metrics;
  private final Ticker ticker;

  GenerationFinisher(
      String model, RunningRows rows, SubnetChooser chooser, ServerMetrics metrics, Ticker ticker) {
    this.model = model;
    this.rows = rows;
    this.chooser = chooser;
    this.metrics = metrics;
    this.ticker = ticker;
  }

  /**
   * Ends {@code job} normally.
   *
   * @param reason {@code stop}, {@code length} or {@code cancelled}
   * @param wasRunning whether its row is in a batch (false: it ended before its prefill)
   */
  void finish(GenerationJob job, String reason, boolean wasRunning) {
    if (wasRunning) {
      leave(job);
    }
    double now = ticker.read() / 1e6;
    double arrival = job.request.arrivalMillis();
    double total = now - arrival;
    double ttft = Double.isNaN(job.firstTokenMillis) ? Double.NaN : job.firstTokenMillis - arrival;
    double queue = (Double.isNaN(job.startMillis) ? now : job.startMillis) - arrival;
    boolean cancelled = reason.equals("cancelled");
    if (job.generated > 1 && !cancelled) {
      chooser.observe(job.predictedTpotMillis, meanTpot(job));
    }
    Boolean met = null;
    var targets = job.request.targets();
    if (targets.any() && !cancelled) {
      met = targets.metBy(ttft, job.generated > 1 ? meanTpot(job) : 0, total);
      metrics.deadlines.labels(model, job.initialSubnet, met ? "met" : "missed").inc();
    }
    metrics.generations.labels(model, reason).inc();
    if (!cancelled) {
      metrics.requestLatency.labels(model, job.initialSubnet).observe(total / 1000);
    }
    job.events.finish(
        new GenerationEvents.Finish(
            reason,
            reason.equals("stop") ? "" : job.text.flush(),
            job.request.prompt().length,
            job.generated,
            Collections.unmodifiableMap(new LinkedHashMap<>(job.tokensPerSubnet)),
            queue,
            ttft,
            total,
            job.predictedMillis,
            met,
            job.tokensPerSubnet.isEmpty()
                ? List.of(job.initialSubnet)
                : List.copyOf(job.tokensPerSubnet.keySet())));
  }

  /** Mean time per output token after the first (two tokens or more). */
  private static double meanTpot(GenerationJob job) {
    return (job.lastTokenMillis - job.firstTokenMillis) / (job.generated - 1);
  }

  /** Ends {@code job} at its timeout: out of its batch (cache freed), 504 to the client. */
  void timeOut(GenerationJob job, boolean wasRunning) {
    if (wasRunning) {
      leave(job);
    }
    metrics.timeouts.labels(model, wasRunning ? "run" : "queue").inc();
    metrics.generations.labels(model, "timeout").inc();
    job.events.fail(
        new ServingException.TimedOut(
            String.format(
                Locale.ROOT,
                "the generation timed out after %.0f ms (X-Request-Timeout-Ms, at most flexserve.request-timeout-seconds) "
                    + "with %d tokens generated",
                job.request.timeoutMillis(),
                job.generated)));
  }

  /** Ends {@code job} with an inference failure; its row must already be out of any batch. */
  void fail(GenerationJob job, Exception error) {
    job.events.fail(error);
    metrics.generations.labels(model, "error").inc();
  }

  /** Takes {@code job}'s row out of its batch. */
  void leave(GenerationJob job) {
    rows.leave(job);
    metrics.generationsRunning.labels(model).set(rows.count());
  }
}
