package io.flexserve.loadtest.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One keep-alive connection: writes a request, reads its response with Netty's decoder, and hands
 * the connection back to its pool. At most one request at a time. Event loop only.
 */
final class Connection extends ChannelInboundHandlerAdapter {
  private final NettyHttpClient.Pool pool;
  private ChannelHandlerContext ctx;
  private NettyHttpClient.Call call; // the request in flight; null when idle
  private int status;
  private io.netty.handler.codec.http.HttpHeaders headers;
  private boolean keepAlive;
  private final LineSplitter lines = new LineSplitter();
  private ByteBuf body; // WHOLE mode only

  Connection(NettyHttpClient.Pool pool) {
    this.pool = pool;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  boolean active() {
    return ctx != null && ctx.channel().isActive();
  }

  /** Writes {@code next}'s request; the connection must be idle and active. */
  void start(NettyHttpClient.Call next) {
    if (next.done) {
      pool.release(this);
      return;
    }
    call = next;
    next.connection = this;
    status = 0;
    headers = null;
    lines.reset();
    next.markSent();
    NettyHttpClient.Prepared r = next.request;
    ctx.writeAndFlush(
        r.body.length == 0
            ? Unpooled.wrappedBuffer(r.head)
            : Unpooled.wrappedBuffer(r.head, r.body),
        ctx.voidPromise());
  }

  /**
   * The request in flight timed out: its answer may still come, so the connection cannot be reused.
   */
  void abandon() {
    call = null;
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof HttpObject object)) {
        return;
      }
      if (call == null) {
        // an answer nobody asked for (or to a request that timed out): the stream is out of step
        ctx.close();
        return;
      }
      if (object.decoderResult().isFailure()) {
        fail(new IOException("malformed response", object.decoderResult().cause()));
        return;
      }
      if (object instanceof HttpResponse response) {
        status = response.status().code();
        headers = response.headers();
        keepAlive = HttpUtil.isKeepAlive(response);
        if (call.mode == BodyMode.WHOLE) {
          body = ctx.alloc().heapBuffer();
        }
      }
      if (object instanceof HttpContent content) {
        ByteBuf bytes = content.content();
        switch (call.mode) {
          case WHOLE -> body.writeBytes(bytes);
          case LINES -> lines.feed(bytes, System.nanoTime(), call.exchange);
          case DISCARD -> {}
        }
        if (content instanceof LastHttpContent) {
          finish();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void finish() {
    long now = System.nanoTime();
    NettyHttpClient.Call done = call;
    call = null;
    if (done.mode == BodyMode.LINES) {
      lines.flush(now, done.exchange);
    }
    String text = "";
    if (body != null) {
      text = body.toString(StandardCharsets.UTF_8);
      body.release();
      body = null;
    }
    done.complete(status, jdkHeaders(headers), text, now);
    if (keepAlive && active()) {
      pool.release(this);
    } else {
      ctx.close();
    }
  }

  private void fail(Throwable cause) {
    NettyHttpClient.Call failed = call;
    call = null;
    releaseBody();
    ctx.close();
    if (failed != null) {
      failed.fail(cause);
    }
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.closed(ctx.channel(), this);
    if (call != null) {
      fail(new IOException("the connection closed before the answer was complete"));
    }
    releaseBody();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause);
  }

  private static HttpHeaders jdkHeaders(io.netty.handler.codec.http.HttpHeaders netty) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (netty != null) {
      for (Map.Entry<String, String> e : netty) {
        map.computeIfAbsent(e.getKey(), k -> new ArrayList<>(1)).add(e.getValue());
      }
    }
    return HttpHeaders.of(map, (k, v) -> true);
  }
}
