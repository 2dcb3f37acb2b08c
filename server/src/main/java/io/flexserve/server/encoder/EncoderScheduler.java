package io.flexserve.server.encoder;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.ResponseTail;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicy;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.scheduling.BatchScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Queues one encoder's embedding requests on a {@link BatchScheduler}: a run concatenates the
 * requests' token batches into one ONNX Runtime batch and hands each request its rows.
 */
public final class EncoderScheduler implements AutoCloseable {
  private final BatchScheduler<TokenBatch, float[][]> scheduler;

  public EncoderScheduler(
      String model,
      ElasticEncoder encoder,
      ModelMenu menu,
      BatchPolicy policy,
      BatchLimits limits,
      int workers,
      int workerNice,
      int capacity,
      double responseMarginMillis,
      double overloadHoldMillis,
      ServerMetrics metrics) {
    this.scheduler =
        new BatchScheduler<>(
            model,
            (subnet, batches, options) -> {
              float[][] rows = encoder.embed(subnet.name(), TokenBatch.concat(batches), options);
              List<float[][]> out = new ArrayList<>(batches.size());
              int row = 0;
              for (TokenBatch b : batches) {
                out.add(Arrays.copyOfRange(rows, row, row + b.batch()));
                row += b.batch();
              }
              return out;
            },
            menu,
            policy,
            limits,
            workers,
            workerNice,
            capacity,
            responseMarginMillis,
            overloadHoldMillis,
            metrics);
  }

  public String policyName() {
    return scheduler.policyName();
  }

  /** As {@link BatchScheduler#responseTail}. */
  public ResponseTail responseTail() {
    return scheduler.responseTail();
  }

  /**
   * As {@link BatchScheduler#submit} (cancelling the result withdraws the request); the request's
   * size is its padded tokens (inputs × longest input).
   */
  public CompletableFuture<EmbeddingResult> submit(EmbeddingJob job) {
    return BatchScheduler.thenApply(
        scheduler.submit(
            new BatchScheduler.Job<>(
                job.arrivalMillis(),
                job.batch(),
                job.batch().batch(),
                job.batch().sequence(),
                job.targetMillis(),
                job.forcedSubnet(),
                job.deadlinePolicy(),
                job.timeoutMillis())),
        d ->
            new EmbeddingResult(
                d.output(),
                d.subnet(),
                d.queueMillis(),
                d.inferenceMillis(),
                d.predictedMillis(),
                d.batchRequests()));
  }

  public boolean drain(Duration grace) throws InterruptedException {
    return scheduler.drain(grace);
  }

  /** As {@link BatchScheduler#abandon}. */
  public void abandon() {
    scheduler.abandon();
  }

  @Override
  public void close() {
    scheduler.close();
  }
}
