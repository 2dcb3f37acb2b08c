package io.flexserve.server.encoder;

import io.flexserve.models.text.TokenBatch;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.MillisHeader;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.scheduling.BatchScheduler;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One embeddings request, start to finish: tokenize, offer it to the model's scheduler (which
 * admits it and, via the router, chooses its sub-network and batch), and record the outcome.
 */
@Singleton
public final class EmbeddingService {
  private final ModelCatalog catalog;
  private final ServerMetrics metrics;
  private final FlexserveConfig config;

  public EmbeddingService(ModelCatalog catalog, ServerMetrics metrics, FlexserveConfig config) {
    this.catalog = catalog;
    this.metrics = metrics;
    this.config = config;
  }

  /**
   * A served request: the result plus what the client asked for.
   *
   * @param serverMillis from arrival to the result, in milliseconds (what the deadline verdict is
   *     judged on)
   */
  public record Served(
      String model,
      EmbeddingResult result,
      int promptTokens,
      OptionalDouble targetMillis,
      double serverMillis) {
    /** Whether the target was met within the server; empty when there was no target. */
    public Optional<Boolean> deadlineMet() {
      return targetMillis.isPresent()
          ? Optional.of(serverMillis <= targetMillis.getAsDouble())
          : Optional.empty();
    }

    /**
     * The routing response headers, the same on every embeddings route: {@code X-Subnet}, {@code
     * X-Queue-Ms}, {@code X-Inference-Ms}, {@code X-Predicted-Ms} (of the run it was part of),
     * {@code X-Batch-Size}, and {@code X-Deadline-Met} when there was a target.
     */
    public void writeHeaders(io.micronaut.http.MutableHttpResponse<?> response) {
      writeHeaders(response::header);
    }

    /** The same headers, given to {@code header} as (name, value). */
    public void writeHeaders(BiConsumer<String, String> header) {
      header.accept("X-Subnet", result.subnet());
      header.accept("X-Queue-Ms", MillisHeader.format(result.queueMillis()));
      header.accept("X-Inference-Ms", MillisHeader.format(result.inferenceMillis()));
      header.accept("X-Predicted-Ms", MillisHeader.format(result.predictedMillis()));
      header.accept("X-Batch-Size", Integer.toString(result.batchRequests()));
      deadlineMet().ifPresent(met -> header.accept("X-Deadline-Met", Boolean.toString(met)));
    }
  }

  /**
   * Cancelling the result withdraws the request (the client went away).
   *
   * @param arrivalMillis when the request reached the server, {@link System#nanoTime} in
   *     milliseconds
   */
  public CompletableFuture<Served> embed(
      double arrivalMillis, String modelName, EmbeddingsRequest request, RoutingHeaders headers) {
    ServedEncoder model = ServedEncoder.from(catalog, modelName);
    TokenBatch batch = model.encoder().tokenizer().encodeBatch(request.inputs());
    if (batch.paddedTokens() > config.maxRequestTokens()) {
      // one request's work is bounded before it is queued: 256 inputs of 256 tokens took 15–22 s of
      // CPU
      throw new ApiException.TooLarge(
          "too_many_tokens",
          "the request's "
              + batch.batch()
              + " inputs come to "
              + batch.paddedTokens()
              + " padded tokens (inputs × the longest, "
              + batch.sequence()
              + "); the limit is "
              + config.maxRequestTokens()
              + " (FLEXSERVE_MAX_REQUEST_TOKENS): send fewer or shorter inputs per request");
    }
    EmbeddingJob job =
        new EmbeddingJob(
            arrivalMillis,
            batch,
            headers.latencyTargetMillis(),
            headers.forcedSubnet(),
            headers.deadlinePolicy(),
            config.timeoutMillis(headers.timeoutMillis()));
    return BatchScheduler.thenApply(
        model.scheduler().submit(job),
        result ->
            record(
                new Served(
                    model.name(),
                    result,
                    batch.realTokens(),
                    headers.latencyTargetMillis(),
                    System.nanoTime() / 1e6 - arrivalMillis)));
  }

  /**
   * {@code served}'s answer is written: its tail, from its run's end until now, goes to its model's
   * response margin ({@link io.flexserve.router.ResponseTail}).
   *
   * @param arrivalMillis when the request arrived, as given to {@link #embed}
   */
  public void written(Served served, double arrivalMillis) {
    EmbeddingResult r = served.result();
    double runEnd = arrivalMillis + r.queueMillis() + r.inferenceMillis();
    double now = System.nanoTime() / 1e6;
    ServedEncoder.from(catalog, served.model())
        .scheduler()
        .responseTail()
        .observe(now, now - runEnd);
  }

  private Served record(Served served) {
    String model = served.model();
    String subnet = served.result().subnet();
    metrics.requestLatency.labels(model, subnet).observe(served.serverMillis() / 1000);
    metrics
        .inferenceLatency
        .labels(model, subnet)
        .observe(served.result().inferenceMillis() / 1000);
    metrics.queueWait.labels(model).observe(served.result().queueMillis() / 1000);
    served
        .deadlineMet()
        .ifPresent(met -> metrics.deadlines.labels(model, subnet, met ? "met" : "missed").inc());
    return served;
  }
}
