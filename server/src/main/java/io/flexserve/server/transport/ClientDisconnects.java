package io.flexserve.server.transport;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.metrics.ServerMetrics;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What happens to a request's work when its client goes away first. The framework cancels a stream
 * whose client closes, but not a single answer still being computed, so each request watches its
 * own connection: when it closes before the answer, the work is cancelled (a queued request is
 * withdrawn, a generation stops at its next step) and counted in {@code
 * flexserve_client_disconnects_total{work="cancelled"}}. An answer that was complete when the
 * client had already gone counts as {@code work="wasted"}.
 *
 * <p>A client that half-closes (shuts its sending side after a complete request) is treated as
 * gone: Netty closes a connection at end of input, so nothing could be delivered, and the work is
 * cancelled rather than done for nobody.
 */
@Singleton
public final class ClientDisconnects {
  private final ServerMetrics metrics;

  public ClientDisconnects(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * One request's watch on its connection; {@link #done} when its answer is complete (or failed).
   */
  public final class Watch {
    private final Channel channel;
    private final String endpoint;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final ChannelFutureListener onClose;

    private Watch(Channel channel, String endpoint, Runnable cancel) {
      this.channel = channel;
      this.endpoint = endpoint;
      this.onClose =
          closed -> {
            if (settled.compareAndSet(false, true)) {
              cancel.run();
              metrics.clientDisconnects.labels(endpoint, "cancelled").inc();
            }
          };
      if (channel != null) {
        channel.closeFuture().addListener(onClose); // runs at once if it is closed already
      }
    }

    /**
     * The answer is complete: stop watching (a keep-alive connection outlives many requests).
     * Idempotent.
     */
    public void done() {
      if (channel == null || !settled.compareAndSet(false, true)) {
        return;
      }
      channel.closeFuture().removeListener(onClose);
      if (!channel.isActive()) {
        metrics.clientDisconnects.labels(endpoint, "wasted").inc();
      }
    }
  }

  /**
   * Watches {@code request}'s connection: if it closes before {@link Watch#done}, {@code cancel}
   * runs once.
   */
  public Watch watch(HttpRequest<?> request, String endpoint, Runnable cancel) {
    return watch(
        request instanceof NettyHttpRequest<?> netty
            ? netty.getChannelHandlerContext().channel()
            : null,
        endpoint,
        cancel);
  }

  /**
   * Watches {@code channel} (null: nothing to watch): if it closes before {@link Watch#done},
   * {@code cancel} runs once.
   */
  public Watch watch(Channel channel, String endpoint, Runnable cancel) {
    return new Watch(channel, endpoint, cancel);
  }

  /**
   * Ties {@code work} to {@code request}'s connection: if the client goes first, {@code work} is
   * cancelled (its producer must treat cancellation as withdrawal) and the answer fails with {@link
   * ApiException.ClientGone}.
   */
  public <T> CompletableFuture<T> tie(
      HttpRequest<?> request, String endpoint, CompletableFuture<T> work) {
    Watch watch = watch(request, endpoint, () -> work.cancel(false));
    CompletableFuture<T> answer = new CompletableFuture<>();
    work.whenComplete(
        (r, e) -> {
          watch.done();
          if (work.isCancelled()) {
            answer.completeExceptionally(new ApiException.ClientGone());
          } else if (e != null) {
            answer.completeExceptionally(e);
          } else {
            answer.complete(r);
          }
        });
    return answer;
  }
}
