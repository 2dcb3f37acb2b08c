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
import java.util.function.Consumer;

/**
 * Closes a connection that is too slow to send its request (slowloris), in two phases:
 *
 * <ul>
 *   <li><b>head</b>: the request line and headers must arrive within the header timeout, counted
 *       from when the connection opens or its previous response ended (so it is also the keep-alive
 *       idle limit);
 *   <li><b>body</b>: the rest of the request within the body timeout, counted from the end of its
 *       head.
 * </ul>
 *
 * While a request is being served the clock is off: a long generation is bounded by the request
 * timeout, not by this. Sits right after the HTTP codec, so it sees decoded request parts inbound
 * and whole responses outbound. One instance per connection; event loop only.
 */
final class RequestReadTimeout extends ChannelDuplexHandler {
  private final long headNanos;
  private final long bodyNanos;
  private final Consumer<String> onTimeout;

  /**
   * Requests whose head arrived and whose response has not been fully written (HTTP/1.1 pipelining
   * allows > 1).
   */
  private int inFlight;

  private ScheduledFuture<?> alarm;

  /**
   * @param onTimeout told {@code header_timeout} or {@code body_timeout} before the connection is
   *     closed
   */
  RequestReadTimeout(long headNanos, long bodyNanos, Consumer<String> onTimeout) {
    this.headNanos = headNanos;
    this.bodyNanos = bodyNanos;
    this.onTimeout = onTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx, headNanos, "header_timeout");
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
      if (!(msg instanceof LastHttpContent)) { // a body follows (a FullHttpRequest is both)
        arm(ctx, bodyNanos, "body_timeout");
      }
    } else if (msg instanceof LastHttpContent) {
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean interim =
        msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent
        && !interim) { // the end of a response (a FullHttpResponse is one too)
      promise = promise.unvoid();
      promise.addListener(
          done -> {
            inFlight = Math.max(0, inFlight - 1);
            if (inFlight == 0) {
              arm(ctx, headNanos, "header_timeout");
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

  private void arm(ChannelHandlerContext ctx, long nanos, String reason) {
    disarm();
    boolean head = reason.equals("header_timeout");
    alarm =
        ctx.executor()
            .schedule(
                () -> {
                  // the head clock only runs between requests; the body clock only while a request
                  // is still arriving
                  if ((!head || inFlight == 0) && ctx.channel().isActive()) {
                    onTimeout.accept(reason);
                    ctx.close();
                  }
                },
                nanos,
                TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (alarm != null) {
      alarm.cancel(false);
      alarm = null;
    }
  }
}
