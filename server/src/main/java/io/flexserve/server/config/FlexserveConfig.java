package io.flexserve.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Server settings, bound from {@code flexserve.*} in application.yml (where each key also reads its
 * environment variable, e.g. {@code FLEXSERVE_MODEL_DIR}).
 *
 * @param modelDir model repository: one sub-directory per model bundle; empty serves the embedded
 *     default model
 * @param cacheDir where the embedded default model's bundle is converted to and reused from
 * @param device {@code cpu} or {@code cuda}
 * @param intraOpThreads ONNX Runtime threads per inference; 0 = all cores but one (see {@link
 *     #effectiveIntraOpThreads})
 * @param workers inference runs in flight per model
 * @param queueCapacity requests waiting per model before new ones get 429
 * @param maxInputs most strings in one embeddings request (more → 413)
 * @param routingPolicy batch policy name: slackfit (default), greedy, always-largest,
 *     always-smallest
 * @param batchMaxInputs most inputs merged into one inference run
 * @param batchMaxTokens most padded tokens (inputs × longest input) in one inference run
 * @param responseMarginMs the least time reserved out of every latency target for what follows a
 *     request's run (encoding and writing its answer); a model's scheduler raises it to the p99 of
 *     the tails its answers' writer measures ({@code ResponseTail}; the embeddings fast path
 *     measures them)
 * @param overloadHoldMs how long a refusal for load (a full queue, or a target the queue makes
 *     unreachable) keeps admission strict: while it holds, each run ahead of a request may be slow,
 *     not only its own ({@code OverloadHold}); 0 never does
 * @param profileRepeats timed runs per (sub-network, size) point of the load-time latency profile
 * @param spinning let idle ONNX Runtime threads busy-wait (see {@code SessionConfig}); off by
 *     default
 * @param shutdownGraceSeconds on SIGTERM, how long queued and running requests may take to finish
 * @param maxRunningGenerations generations decoding together per decoder model (continuous
 *     batching); more wait
 * @param prefixCacheBytes bound on the KV copies of prompt prefixes kept for reuse, per decoder
 *     model; 0 disables
 * @param apiKeys comma-separated API keys; empty (and no {@code apiKeysFile}) turns authentication
 *     off
 * @param apiKeysFile file with one API key per line ({@code #} comments), e.g. a mounted Kubernetes
 *     Secret
 * @param metricsAuth whether {@code /metrics} also needs a key when authentication is on (default:
 *     open)
 * @param rateLimitPerKey requests per second per API key (token bucket); 0 turns rate limiting off
 * @param rateLimitBurst bucket size per key; 0 means 2 × {@code rateLimitPerKey}, at least 1
 * @param requestTimeoutSeconds longest a request may wait and run; a run past it is terminated and
 *     the request gets 504 ({@code X-Request-Timeout-Ms} can ask for less)
 * @param precisions comma-separated precisions of decoder menu entries to load ({@code fp32},
 *     {@code int8}, {@code int4}); empty loads every entry. {@code int4} serves a quantized bundle
 *     from its int4 entries only: the float32 weights are never read, and the router chooses among
 *     the rest
 * @param maxRequestTokens most padded tokens one embeddings request may bring (inputs × its longest
 *     input, after truncation): more is a 413 naming the limit, before anything is queued
 * @param readyWithFailedModels whether the server reports ready while some model of the repository
 *     failed to load (the others serve either way); off by default, so that an orchestrator notices
 *     a broken model
 * @param inferenceNice Linux nice value of the inference workers (embeddings, vision) and of each
 *     generation loop, 0 to 19; above 0 the event loop preempts a running inference to read, admit,
 *     refuse and answer requests, which matters where they share a core (see {@code
 *     WorkerPriority}); 0 leaves it alone
 * @param compilerNice Linux nice value of the JVM's JIT compiler threads, 0 to 19; above 0 a
 *     compile never holds a core that requests wait for, which matters on a server with one core
 *     (see {@code CompilerPriority}); 0 leaves them alone
 * @param warmupSeconds how long the server sends requests to its own port, after the models load
 *     and before readiness turns true, so the JIT compiles the request path first (see {@code
 *     RequestPathWarmup}); 0 turns it off
 */
@ConfigurationProperties("flexserve")
public record FlexserveConfig(
    @Bindable(defaultValue = "") String modelDir,
    @Bindable(defaultValue = "") String cacheDir,
    @Bindable(defaultValue = "cpu") String device,
    @Bindable(defaultValue = "0") int intraOpThreads,
    @Bindable(defaultValue = "1") int workers,
    @Bindable(defaultValue = "64") int queueCapacity,
    @Bindable(defaultValue = "256") int maxInputs,
    @Bindable(defaultValue = "slackfit") String routingPolicy,
    @Bindable(defaultValue = "64") int batchMaxInputs,
    @Bindable(defaultValue = "8192") int batchMaxTokens,
    @Bindable(defaultValue = "3") double responseMarginMs,
    @Bindable(defaultValue = "1000") double overloadHoldMs,
    @Bindable(defaultValue = "15") int profileRepeats,
    @Bindable(defaultValue = "false") boolean spinning,
    @Bindable(defaultValue = "30") int shutdownGraceSeconds,
    @Bindable(defaultValue = "16") int maxRunningGenerations,
    @Bindable(defaultValue = "268435456") long prefixCacheBytes,
    @Bindable(defaultValue = "") String apiKeys,
    @Bindable(defaultValue = "") String apiKeysFile,
    @Bindable(defaultValue = "false") boolean metricsAuth,
    @Bindable(defaultValue = "0") double rateLimitPerKey,
    @Bindable(defaultValue = "0") int rateLimitBurst,
    @Bindable(defaultValue = "300") double requestTimeoutSeconds,
    @Bindable(defaultValue = "") String precisions,
    @Bindable(defaultValue = "false") boolean readyWithFailedModels,
    @Bindable(defaultValue = "16384") int maxRequestTokens,
    @Bindable(defaultValue = "0") int inferenceNice,
    @Bindable(defaultValue = "0") int compilerNice,
    @Bindable(defaultValue = "10") double warmupSeconds) {

  public FlexserveConfig {
    if (!(rateLimitPerKey >= 0) || Double.isInfinite(rateLimitPerKey) || rateLimitBurst < 0) {
      throw new IllegalArgumentException(
          "flexserve.rate-limit-per-key and rate-limit-burst must be ≥ 0, got "
              + rateLimitPerKey
              + " and "
              + rateLimitBurst);
    }
    if (!(requestTimeoutSeconds > 0) || requestTimeoutSeconds > 86_400) {
      throw new IllegalArgumentException(
          "flexserve.request-timeout-seconds must be in (0, 86400], got " + requestTimeoutSeconds);
    }
    if (inferenceNice < 0 || inferenceNice > 19) {
      throw new IllegalArgumentException(
          "flexserve.inference-nice must be in [0, 19] (0 leaves the priority alone), got "
              + inferenceNice);
    }
    if (compilerNice < 0 || compilerNice > 19) {
      throw new IllegalArgumentException(
          "flexserve.compiler-nice must be in [0, 19] (0 leaves the priority alone), got "
              + compilerNice);
    }
    if (!(warmupSeconds >= 0) || warmupSeconds > 600) {
      throw new IllegalArgumentException(
          "flexserve.warmup-seconds must be in [0, 600] (0 turns the warm-up off), got "
              + warmupSeconds);
    }
    if (maxRequestTokens < 1) {
      throw new IllegalArgumentException(
          "flexserve.max-request-tokens must be ≥ 1, got " + maxRequestTokens);
    }
    if (prefixCacheBytes < 0) {
      throw new IllegalArgumentException(
          "flexserve.prefix-cache-bytes must be ≥ 0, got " + prefixCacheBytes);
    }
    if (maxRunningGenerations < 1) {
      throw new IllegalArgumentException(
          "flexserve.max-running-generations must be ≥ 1, got " + maxRunningGenerations);
    }
    if (shutdownGraceSeconds < 0) {
      throw new IllegalArgumentException(
          "flexserve.shutdown-grace-seconds must be ≥ 0, got " + shutdownGraceSeconds);
    }
    if (batchMaxInputs < 1 || batchMaxTokens < 1 || !(responseMarginMs >= 0)) {
      throw new IllegalArgumentException(
          "flexserve.batch-max-inputs and batch-max-tokens must be ≥ 1, response-margin-ms ≥ 0");
    }
    if (!(overloadHoldMs >= 0) || Double.isInfinite(overloadHoldMs)) {
      throw new IllegalArgumentException(
          "flexserve.overload-hold-ms must be a number ≥ 0, got " + overloadHoldMs);
    }
    io.flexserve.router.batch.BatchPolicies.byName(
        routingPolicy); // fail at start-up on a typo, listing valid names
    for (String p : precisionList()) {
      io.flexserve.models.llm.Precision.parse(p, 32); // fail at start-up on an unknown precision
    }
    if (workers < 1
        || queueCapacity < 1
        || maxInputs < 1
        || profileRepeats < 1
        || intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "flexserve: workers, queue-capacity, max-inputs and profile-repeats must be ≥ 1 "
              + "and intra-op-threads ≥ 0; got workers="
              + workers
              + " queue-capacity="
              + queueCapacity
              + " max-inputs="
              + maxInputs
              + " profile-repeats="
              + profileRepeats
              + " intra-op-threads="
              + intraOpThreads);
    }
    if (!device.equals("cpu") && !device.equals("cuda")) {
      throw new IllegalArgumentException(
          "flexserve.device must be cpu or cuda, got '" + device + "'");
    }
  }

  /**
   * Threads per inference: the configured number, or by default all cores but one. Inference on
   * every core starves the Netty event loop and the request threads, which then add more latency
   * under load than the extra core saves (measured on 2 cores: client-side p99 rose to hundreds of
   * ms while the scheduler saw runs on time).
   */
  public int effectiveIntraOpThreads() {
    return intraOpThreads > 0
        ? intraOpThreads
        : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
  }

  /**
   * The timeout of a request that sent {@code X-Request-Timeout-Ms} (or not): the smaller of it and
   * the limit.
   */
  public double timeoutMillis(java.util.OptionalDouble requested) {
    double limit = requestTimeoutSeconds * 1000;
    return requested.isPresent() ? Math.min(requested.getAsDouble(), limit) : limit;
  }

  /** Bucket size per key: the configured burst, or 2 × the rate, at least 1. */
  public int effectiveRateLimitBurst() {
    return rateLimitBurst > 0 ? rateLimitBurst : (int) Math.max(1, Math.ceil(2 * rateLimitPerKey));
  }

  /** The cache directory, defaulting to {@code ~/.cache/flexserve}. */
  public java.nio.file.Path cachePath() {
    return cacheDir.isBlank()
        ? java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "flexserve")
        : java.nio.file.Path.of(cacheDir);
  }

  /** {@link #precisions} as a list (empty: every precision). */
  public java.util.List<String> precisionList() {
    return precisions == null || precisions.isBlank()
        ? java.util.List.of()
        : java.util.Arrays.stream(precisions.split(","))
            .map(String::trim)
            .map(String::toLowerCase)
            .filter(p -> !p.isEmpty())
            .toList();
  }
}
