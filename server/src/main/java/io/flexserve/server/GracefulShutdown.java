package io.flexserve.server;

import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (Kubernetes, docker stop), within the grace period and not past it:
 *
 * <ol>
 *   <li>readiness goes false and new requests get 503 at once;
 *   <li>queued and running requests get the grace period, less a reserve, to finish;
 *   <li>whatever is left is answered 503 {@code shutting_down}: nothing admitted before SIGTERM
 *       goes unanswered;
 *   <li>the reserve lets the last answers go out and the server stop (Netty's quiet period is 0,
 *       see application.yml).
 * </ol>
 */
final class GracefulShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

  private GracefulShutdown() {}

  /**
   * Drains and closes {@code context} within {@code grace}; returns the exit code: 0 when every
   * request finished, 1 when some had to be answered 503 at the end of the grace period.
   */
  static int run(ApplicationContext context, Duration grace) {
    long start = System.nanoTime();
    // The reserve covers abandoning, writing the last answers and stopping: a quarter of the grace,
    // at most 1 s.
    Duration reserve =
        Duration.ofNanos(Math.min(Duration.ofSeconds(1).toNanos(), grace.toNanos() / 4));
    ModelCatalog catalog = context.getBean(ModelCatalog.class);
    LOG.info("SIGTERM: not ready any more; draining for up to {} s", grace.toMillis() / 1000.0);
    boolean finished;
    try {
      finished = catalog.drain(grace.minus(reserve));
      if (!finished) {
        LOG.warn(
            "grace period over with requests still queued or running: answering them 503 shutting_down");
        catalog.abandon();
      }
      // Their answers are being written by Netty as inference ends; give them part of the reserve.
      Thread.sleep(Math.max(0, reserve.toMillis() / 2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    context.close();
    LOG.info(
        "stopped {} ms after SIGTERM ({})",
        (System.nanoTime() - start) / 1_000_000,
        finished ? "drained" : "some requests were answered 503");
    return finished ? 0 : 1;
  }
}
