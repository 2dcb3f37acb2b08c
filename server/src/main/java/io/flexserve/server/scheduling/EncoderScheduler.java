package io.flexserve.server.scheduling;

import io.flexserve.models.runtime.ElasticEncoder;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.metrics.ServerMetrics;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one model's embedding jobs on {@code workers} threads behind a queue of {@code capacity}.
 *
 * <p>Admission is immediate: a job that does not fit in the queue is refused with 429 at once rather than waiting
 * unboundedly. The backlog (sum of predicted inference time of queued and running jobs) is kept so the router can
 * estimate how long a new request would wait: {@code backlog / workers}. A running job counts fully until it ends,
 * so the estimate errs on the long side.
 *
 * <p>Threading: {@link #submit} is called from request threads; jobs run on the pool's threads; counters are atomics.
 */
public final class EncoderScheduler implements AutoCloseable {
  private final String model;
  private final ElasticEncoder encoder;
  private final int workers;
  private final ThreadPoolExecutor pool;
  private final ServerMetrics metrics;
  private final AtomicLong backlogMicros = new AtomicLong();
  private final AtomicInteger inSystem = new AtomicInteger();

  public EncoderScheduler(String model, ElasticEncoder encoder, int workers, int capacity, ServerMetrics metrics) {
    this.model = model;
    this.encoder = encoder;
    this.workers = workers;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity), r -> {
      Thread t = new Thread(r, "flexserve-infer-" + model + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** Expected wait before a job submitted now starts running, in milliseconds. */
  public double estimatedWaitMillis() {
    return backlogMicros.get() / 1000.0 / workers;
  }

  /** Jobs queued or running. */
  public int depth() {
    return inSystem.get();
  }

  /**
   * Admits {@code job} or refuses it at once.
   *
   * @return completes with the result, or exceptionally with {@link ApiException.InferenceFailed}
   * @throws ApiException.Overloaded when the queue is full
   */
  public CompletableFuture<EmbeddingResult> submit(EmbeddingJob job) {
    long predictedMicros = Math.round(job.predictedMillis() * 1000);
    long admitted = System.nanoTime();
    CompletableFuture<EmbeddingResult> result = new CompletableFuture<>();
    backlogMicros.addAndGet(predictedMicros);
    metrics.queueDepth.labels(model).set(inSystem.incrementAndGet());
    try {
      pool.execute(() -> run(job, admitted, predictedMicros, result));
    } catch (RejectedExecutionException full) {
      leave(predictedMicros);
      metrics.rejections.labels(model, "queue_full").inc();
      long retryAfter = (long) Math.ceil(estimatedWaitMillis() / 1000.0);
      throw new ApiException.Overloaded("queue_full", "model '" + model + "' has " + pool.getQueue().size()
          + " requests queued (limit reached); retry after " + Math.max(1, retryAfter) + " s", retryAfter);
    }
    return result;
  }

  private void run(EmbeddingJob job, long admitted, long predictedMicros, CompletableFuture<EmbeddingResult> result) {
    long started = System.nanoTime();
    try {
      float[][] embeddings = encoder.embed(job.subnet(), job.batch());
      long finished = System.nanoTime();
      result.complete(new EmbeddingResult(embeddings, job.subnet(), (started - admitted) / 1e6, (finished - started) / 1e6));
    } catch (Exception | LinkageError e) {
      result.completeExceptionally(new ApiException.InferenceFailed("inference failed on " + model + "/" + job.subnet() + ": " + e.getMessage()));
    } finally {
      leave(predictedMicros);
    }
  }

  private void leave(long predictedMicros) {
    backlogMicros.addAndGet(-predictedMicros);
    metrics.queueDepth.labels(model).set(inSystem.decrementAndGet());
  }

  /**
   * Stops admitting jobs and waits up to {@code grace} for queued and running ones to finish. The model's sessions
   * may be closed only after this returns true: closing an ONNX Runtime session under a running job is a
   * use-after-free in native code.
   *
   * @return whether every job finished in time
   */
  public boolean drain(java.time.Duration grace) throws InterruptedException {
    pool.shutdown();
    return pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
