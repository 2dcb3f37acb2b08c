package io.flexserve.server.transport;

import io.flexserve.server.config.ConnectionSettings;
import io.flexserve.server.metrics.ServerMetrics;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what client connections can hold (see {@link ConnectionSettings}): at most {@code max}
 * open at once, and each must send its request head and body within their timeouts ({@link
 * RequestReadTimeout}). Installed into Micronaut's Netty pipeline through its customizer registry,
 * so nothing above the transport knows about it.
 */
@Singleton
public final class ConnectionGuard
    implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
  /** Written raw (the codec is not involved) to a connection over the limit, before closing it. */
  private static final byte[] TOO_MANY =
      ("HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
              + "retry-after: 1\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s")
          .formatted(tooManyBody().length(), tooManyBody())
          .getBytes(StandardCharsets.UTF_8);

  /** The pipeline name of each connection's {@link RequestReadTimeout}, right after the codec. */
  public static final String READ_TIMEOUT_HANDLER = "flexserve-read-timeout";

  private final ConnectionSettings settings;
  private final ServerMetrics metrics;
  private final AtomicInteger open = new AtomicInteger();

  public ConnectionGuard(ConnectionSettings settings, ServerMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  private static String tooManyBody() {
    return "{\"error\":{\"message\":\"too many open connections; retry shortly\",\"type\":\"server_error\","
        + "\"code\":\"too_many_connections\"}}";
  }

  @Override
  public NettyServerCustomizer.Registry onCreated(
      BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
    event
        .getBean()
        .register(
            new NettyServerCustomizer() {
              @Override
              public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
                return role == ChannelRole.CONNECTION ? new PerConnection(channel) : this;
              }
            });
    return event.getBean();
  }

  /** Open client connections now. */
  public int openConnections() {
    return open.get();
  }

  /** One client connection: counted while open; over the limit it is answered 503 and closed. */
  private final class PerConnection implements NettyServerCustomizer {
    private final Channel channel;
    private boolean refused;

    PerConnection(Channel channel) {
      this.channel = channel;
      int now = open.incrementAndGet();
      metrics.openConnections.set(now);
      channel.closeFuture().addListener(f -> metrics.openConnections.set(open.decrementAndGet()));
      refused = now > settings.max();
    }

    @Override
    public void onInitialPipelineBuilt() {
      if (refused) {
        metrics.refusedConnections.labels("too_many_connections").inc();
        channel.pipeline().addFirst("flexserve-refuse", new Refuse());
      }
    }

    @Override
    public void onStreamPipelineBuilt() {
      if (refused
          || channel.pipeline().get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) == null) {
        return;
      }
      channel
          .pipeline()
          .addAfter(
              ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC,
              READ_TIMEOUT_HANDLER,
              new RequestReadTimeout(
                  (long) (settings.headerTimeoutSeconds() * 1e9),
                  (long) (settings.bodyTimeoutSeconds() * 1e9),
                  reason -> metrics.refusedConnections.labels(reason).inc()));
    }
  }

  /**
   * Answers whatever the client sends with 503 and closes. It answers on the first read rather than
   * at connect, so the request has been consumed: closing with unread bytes would reset the
   * connection and lose the answer.
   */
  private static final class Refuse extends ChannelInboundHandlerAdapter {
    private boolean answered;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      if (!answered) {
        answered = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
