package io.flexserve.server.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that does not deliver a complete request head in time: from when it opens, and again from
 * the end of each response (so it is the keep-alive idle limit too). While a request is being served the clock is
 * off: a long generation is bounded by the request timeout, not by this. Sits right after the HTTP codec, so it sees
 * decoded request heads inbound and whole responses outbound. One instance per connection; event loop only.
 */
final class HeadTimeout extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private final Runnable onTimeout;
  /** Requests whose head arrived and whose response has not been fully written (HTTP/1.1 pipelining allows > 1). */
  private int inFlight;
  private ScheduledFuture<?> alarm;

  HeadTimeout(long timeoutNanos, Runnable onTimeout) {
    this.timeoutNanos = timeoutNanos;
    this.onTimeout = onTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      inFlight++;
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !interim) { // the end of a response (a FullHttpResponse is one too)
      promise = promise.unvoid();
      promise.addListener(done -> {
        inFlight = Math.max(0, inFlight - 1);
        if (inFlight == 0) {
          arm(ctx);
        }
      });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    alarm = ctx.executor().schedule(() -> {
      if (inFlight == 0 && ctx.channel().isActive()) {
        onTimeout.run();
        ctx.close();
      }
    }, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (alarm != null) {
      alarm.cancel(false);
      alarm = null;
    }
  }
}
