package io.flexserve.server.api;

import io.flexserve.models.text.TokenBatch;
import io.flexserve.router.RoutingDecision;
import io.flexserve.router.RoutingPolicies;
import io.flexserve.router.RoutingPolicy;
import io.flexserve.router.RoutingRequest;
import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.catalog.ServedModel;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.scheduling.EmbeddingJob;
import io.flexserve.server.scheduling.EmbeddingResult;
import jakarta.inject.Singleton;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * One embeddings request, start to finish: tokenize, ask the router for a sub-network given the request's size, its
 * latency target and the current queue wait, submit to the model's scheduler, and record the outcome.
 */
@Singleton
public final class EmbeddingService {
  private final ModelCatalog catalog;
  private final ServerMetrics metrics;
  private final RoutingPolicy policy;

  public EmbeddingService(ModelCatalog catalog, ServerMetrics metrics, FlexserveConfig config) {
    this.catalog = catalog;
    this.metrics = metrics;
    this.policy = RoutingPolicies.byName(config.routingPolicy());
  }

  /** A served request: the result plus what the router predicted and what the client asked for. */
  public record Served(String model, EmbeddingResult result, int promptTokens, double predictedMillis,
                       OptionalDouble targetMillis) {
    /** Whether the end-to-end target was met; empty when there was no target. */
    public java.util.Optional<Boolean> deadlineMet() {
      return targetMillis.isPresent() ? java.util.Optional.of(result.totalMillis() <= targetMillis.getAsDouble())
          : java.util.Optional.empty();
    }
  }

  public CompletableFuture<Served> embed(String modelName, EmbeddingsRequest request, RoutingHeaders headers) {
    ServedModel model = catalog.require(modelName);
    TokenBatch batch = model.encoder().tokenizer().encodeBatch(request.inputs());
    RoutingRequest routing = new RoutingRequest(batch.paddedTokens(), headers.latencyTargetMillis(),
        headers.forcedSubnet(), headers.deadlinePolicy(), model.scheduler().estimatedWaitMillis());
    RoutingDecision decision = policy.route(routing, model.menu());
    if (decision instanceof RoutingDecision.Rejected rejected) {
      throw reject(model.name(), rejected);
    }
    RoutingDecision.Routed routed = (RoutingDecision.Routed) decision;
    String subnet = routed.subnet().name();
    metrics.decisions.labels(model.name(), policy.name(), subnet).inc();
    return model.scheduler().submit(new EmbeddingJob(subnet, batch, routed.predictedMillis()))
        .thenApply(result -> record(new Served(model.name(), result, batch.realTokens(), routed.predictedMillis(),
            headers.latencyTargetMillis())));
  }

  private Served record(Served served) {
    String model = served.model();
    String subnet = served.result().subnet();
    metrics.requestLatency.labels(model, subnet).observe(served.result().totalMillis() / 1000);
    metrics.inferenceLatency.labels(model, subnet).observe(served.result().inferenceMillis() / 1000);
    metrics.queueWait.labels(model).observe(served.result().queueMillis() / 1000);
    served.deadlineMet().ifPresent(met -> metrics.deadlines.labels(model, subnet, met ? "met" : "missed").inc());
    return served;
  }

  private ApiException reject(String model, RoutingDecision.Rejected rejected) {
    return switch (rejected.reason()) {
      case UNKNOWN_SUBNET -> new ApiException.InvalidValue("unknown_subnet", rejected.message());
      case UNSATISFIABLE_TARGET -> {
        metrics.rejections.labels(model, "deadline_unsatisfiable").inc();
        yield new ApiException.Overloaded("deadline_unsatisfiable", rejected.message(),
            (long) Math.ceil(rejected.retryAfterMillis() / 1000.0));
      }
    };
  }
}
