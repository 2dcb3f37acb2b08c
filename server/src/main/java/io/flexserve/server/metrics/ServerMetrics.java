package io.flexserve.server.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;
import jakarta.inject.Singleton;

/**
 * Every metric the server exports, in one registry. Labels: {@code model}, {@code subnet}
 * (sub-network name), {@code endpoint} (route template), {@code status} (HTTP status code), {@code
 * reason}, {@code outcome}. Thread-safe (simpleclient collectors are).
 */
@Singleton
public final class ServerMetrics {
  private static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1,
    2.5, 5, 10
  };

  private final CollectorRegistry registry = new CollectorRegistry(true);

  /**
   * Requests served (2xx) by a sub-network; errors are in {@link #httpResponses} and {@link
   * #rejections}.
   */
  public final Counter requests =
      Counter.build("flexserve_requests_total", "Requests served by a sub-network.")
          .labelNames("model", "subnet", "endpoint", "status")
          .register(registry);

  /** Every HTTP response by route template and status, errors included. */
  public final Counter httpResponses =
      Counter.build("flexserve_http_responses_total", "HTTP responses by route and status.")
          .labelNames("route", "status")
          .register(registry);

  /**
   * Embeddings answers written by the Netty fast path (all statuses), a subset of {@link
   * #httpResponses}: how much of the traffic skips Micronaut's routing.
   */
  public final Counter fastPathResponses =
      Counter.build(
              "flexserve_embeddings_fast_path_responses_total",
              "Embeddings answers written by the fast path ahead of Micronaut's routing.")
          .labelNames("status")
          .register(registry);

  /** Time from arrival to the result, per sub-network. */
  public final Histogram requestLatency =
      Histogram.build(
              "flexserve_request_latency_seconds",
              "Server-side latency of served requests, from arrival to the result.")
          .labelNames("model", "subnet")
          .buckets(LATENCY_BUCKETS)
          .register(registry);

  /** Inference run time, per sub-network. */
  public final Histogram inferenceLatency =
      Histogram.build("flexserve_inference_latency_seconds", "ONNX Runtime run time per batch.")
          .labelNames("model", "subnet")
          .buckets(LATENCY_BUCKETS)
          .register(registry);

  /** Time spent queued before inference started. */
  public final Histogram queueWait =
      Histogram.build("flexserve_queue_wait_seconds", "Time requests waited in the queue.")
          .labelNames("model")
          .buckets(LATENCY_BUCKETS)
          .register(registry);

  /** Latency-targeted requests by whether the target was met. */
  public final Counter deadlines =
      Counter.build(
              "flexserve_deadline_total",
              "Requests with X-Latency-Target-Ms, by outcome (met|missed).")
          .labelNames("model", "subnet", "outcome")
          .register(registry);

  /** Routing decisions, by policy and chosen sub-network. */
  public final Counter decisions =
      Counter.build("flexserve_routing_decisions_total", "Router decisions.")
          .labelNames("model", "policy", "subnet")
          .register(registry);

  /**
   * Requests that hit their timeout: {@code where} = queue (never ran) or run (a run was terminated
   * or outlived it).
   */
  public final Counter timeouts =
      Counter.build("flexserve_request_timeouts_total", "Requests past their timeout (504).")
          .labelNames("model", "where")
          .register(registry);

  /**
   * Requests refused before inference, by reason (queue_full, overloaded, deadline_unsatisfiable).
   */
  public final Counter rejections =
      Counter.build("flexserve_rejections_total", "Requests rejected before inference.")
          .labelNames("model", "reason")
          .register(registry);

  /** Requests merged into each run, per sub-network. */
  public final Histogram batchRequests =
      Histogram.build("flexserve_batch_requests", "Requests merged into one inference run.")
          .labelNames("model", "subnet")
          .buckets(1, 2, 4, 8, 16, 32, 64)
          .register(registry);

  /** Requests waiting or running, per model. */
  public final Gauge queueDepth =
      Gauge.build("flexserve_queue_depth", "Requests queued or running.")
          .labelNames("model")
          .register(registry);

  /**
   * Predicted inference latency of each sub-network for a 128-token input, from the load-time
   * profile.
   */
  public final Gauge predictedLatency =
      Gauge.build(
              "flexserve_subnet_predicted_latency_seconds",
              "Profiled latency of each sub-network for a 128-token input.")
          .labelNames("model", "subnet")
          .register(registry);

  /**
   * The online correction of the profiles by observed run times, per model: level {@code typical}
   * is the median run (what queued work adds up with), {@code slow} the p99 one (what one run must
   * be safe against; the quantile of {@code LatencyEstimator.standard()}). The simulator takes the
   * spread between them as its run-time noise. (Not a {@code quantile} label: that one is reserved
   * for summaries.)
   */
  public final Gauge latencyCorrection =
      Gauge.build(
              "flexserve_latency_correction",
              "Observed run time over the profile's prediction: typical (median) and slow (p99).")
          .labelNames("model", "level")
          .register(registry);

  /**
   * Time each request adds to the worker besides its run, per model: the gap, with requests
   * waiting, between a run's end and the next run's start, per request of the run (a moving
   * average). Where the event loop has a core of its own this is near 0; where it shares the
   * worker's core it is the HTTP, JSON and hand-offs of every request, and the drain that admission
   * and SlackFit plan with counts it.
   */
  public final Gauge responseMargin =
      Gauge.build(
              "flexserve_response_margin_seconds",
              "Time each latency target reserves for encoding and writing the answer after its run: "
                  + "the configured margin, or the recent answers' measured p99 tail when higher.")
          .labelNames("model")
          .register(registry);

  public final Gauge requestGap =
      Gauge.build(
              "flexserve_request_gap_seconds",
              "Worker time per request outside inference: the gap between runs while work waits.")
          .labelNames("model")
          .register(registry);

  /**
   * What admission keeps in hand under overload besides its model's tails, per model ({@code
   * OverloadAllowance}): fed back from how far past their deadlines the requests it admitted under
   * overload finished. 0 until an overload has shown it is needed.
   */
  public final Gauge overloadAllowance =
      Gauge.build(
              "flexserve_overload_allowance_seconds",
              "Time admission keeps in hand under overload, learned from how late the requests it "
                  + "admitted then finished.")
          .labelNames("model")
          .register(registry);

  /**
   * CPU time the inference workers spent in runs, per model. Against the process's CPU ({@code
   * process_cpu_seconds_total}) it gives what the server spends per request outside inference:
   * HTTP, JSON, tokenizing, scheduling, hand-offs.
   */
  public final Counter inferenceCpu =
      Counter.build(
              "flexserve_inference_cpu_seconds_total",
              "CPU time of the inference workers' runs (the process's total includes it).")
          .labelNames("model")
          .register(registry);

  // ---- connections
  // ------------------------------------------------------------------------------------------------

  /** Client connections open now. */
  public final Gauge openConnections =
      Gauge.build("flexserve_open_connections", "Client connections open now.").register(registry);

  /**
   * Connections closed by the server: too_many_connections (over the limit), header_timeout (no
   * request head in time), body_timeout (the body did not arrive in time).
   */
  public final Counter refusedConnections =
      Counter.build(
              "flexserve_closed_connections_total",
              "Connections the server closed: too_many_connections, header_timeout, body_timeout.")
          .labelNames("reason")
          .register(registry);

  /**
   * Requests whose client went away before its answer: {@code work} = dropped (cancelled before any
   * inference), cancelled (stopped mid-way) or wasted (finished for nobody: the answer could not be
   * delivered).
   */
  public final Counter clientDisconnects =
      Counter.build(
              "flexserve_client_disconnects_total",
              "Requests whose client disconnected first, by what happened to their work: cancelled, wasted.")
          .labelNames("endpoint", "work")
          .register(registry);

  // ---- text generation
  // ----------------------------------------------------------------------------------------

  /** Time from arrival to the first generated token. */
  public final Histogram timeToFirstToken =
      Histogram.build(
              "flexserve_time_to_first_token_seconds",
              "Time from arrival to the first generated token.")
          .labelNames("model", "subnet")
          .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .register(registry);

  /** Time between consecutive tokens of one generation. */
  public final Histogram interTokenLatency =
      Histogram.build(
              "flexserve_inter_token_latency_seconds",
              "Time between consecutive generated tokens of one request.")
          .labelNames("model", "subnet")
          .buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
          .register(registry);

  public final Counter promptTokens =
      Counter.build("flexserve_prompt_tokens_total", "Prompt tokens prefilled.")
          .labelNames("model")
          .register(registry);

  public final Counter generatedTokens =
      Counter.build("flexserve_generated_tokens_total", "Tokens generated.")
          .labelNames("model", "subnet")
          .register(registry);

  /** Generations by how they ended: stop, length, cancelled (client gone), error. */
  public final Counter generations =
      Counter.build("flexserve_generations_total", "Generations by finish reason.")
          .labelNames("model", "reason")
          .register(registry);

  public final Gauge generationsRunning =
      Gauge.build("flexserve_generations_running", "Generations decoding now.")
          .labelNames("model")
          .register(registry);

  public final Gauge generationsWaiting =
      Gauge.build("flexserve_generations_waiting", "Generations waiting for a slot.")
          .labelNames("model")
          .register(registry);

  /** Prefills by whether a cached prompt prefix was reused. */
  public final Counter prefixCacheLookups =
      Counter.build(
              "flexserve_prefix_cache_lookups_total",
              "Prefills by prefix-cache outcome (hit: a cached prompt prefix was reused).")
          .labelNames("model", "outcome")
          .register(registry);

  public final Counter prefixCacheTokens =
      Counter.build(
              "flexserve_prefix_cache_tokens_total",
              "Prompt tokens not prefilled because their KV cache was reused.")
          .labelNames("model")
          .register(registry);

  public final Counter subnetSwitches =
      Counter.build(
              "flexserve_subnet_switches_total",
              "Token-level moves of a running generation between sub-networks sharing a KV layout.")
          .labelNames("model", "from", "to")
          .register(registry);

  /** Vision requests by whether the per-image result cache answered them. */
  public final Counter visionCacheLookups =
      Counter.build(
              "flexserve_vision_cache_lookups_total",
              "Vision requests by result-cache outcome (hit: served without inference).")
          .labelNames("model", "outcome")
          .register(registry);

  /** Images refused before inference, by reason (empty, too large, corrupt, unsupported). */
  public final Counter imageRejections =
      Counter.build(
              "flexserve_image_rejections_total", "Images refused before inference, by error code.")
          .labelNames("code")
          .register(registry);

  public ServerMetrics() {
    DefaultExports.register(registry);
  }

  public CollectorRegistry registry() {
    return registry;
  }
}
