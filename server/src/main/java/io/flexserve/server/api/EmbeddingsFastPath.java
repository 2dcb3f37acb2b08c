package io.flexserve.server.api;

import io.flexserve.server.catalog.ModelCatalog;
import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.encoder.EmbeddingService;
import io.flexserve.server.encoder.EmbeddingsRequest;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.RequestTags;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.request.RoutingHeaders;
import io.flexserve.server.security.ApiKeyCheck;
import io.flexserve.server.transport.ClientDisconnects;
import io.flexserve.server.transport.ConnectionGuard;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.json.JsonMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/embeddings} answered from the Netty pipeline, ahead of Micronaut's routing,
 * filters and response encoding, for the common request: HTTP/1.1 keep-alive with a body of known
 * length up to {@link EmbeddingsController#INLINE_BODY_BYTES}. Anything else (a larger, chunked or
 * compressed body, {@code Expect: 100-continue}, {@code Connection: close}, HTTP/1.0, a query
 * string, another method) goes on to {@link EmbeddingsController}, which gives the same answers.
 *
 * <p>Why. On one core, the server's own CPU per request outside inference decides how much of the
 * core is left for inference under load, and how fast a 429 leaves. Profiled with C1 code,
 * Micronaut's filters, routing and response path took about 0.4 ms of the ~1.3 ms a 16-token
 * request cost outside ONNX Runtime (BENCHMARKS.md, issue 19). Here a request is parsed, checked,
 * tokenized and admitted on the event loop that read it, and its answer is encoded by the inference
 * worker that finished it and written as one buffer.
 *
 * <p>The same answers as the controller: the one JSON error body and statuses, {@code
 * X-Request-Id}, API keys and rate limits ({@link ApiKeyCheck}), the routing headers, the request
 * and response counters, and cancellation when the client goes ({@link ClientDisconnects}). {@code
 * EmbeddingsFastPathTest} sends each request both ways and compares.
 *
 * <p>Order on a connection. HTTP/1.1 answers go out in request order. A request is taken here only
 * when Micronaut has no answer outstanding on the connection (writes through this handler are
 * counted), and while one is being served here, later messages on the connection are held; they go
 * on, in order, once its answer is written. Micronaut's pipeline reads on demand (auto-read off),
 * so holding back read requests pauses a connection: this handler does so once 64 messages are
 * held, and asks for reads itself where Micronaut would not (it sees none of the requests taken
 * here).
 *
 * <p>{@code flexserve.embeddings-fast-path: false} ({@code FLEXSERVE_EMBEDDINGS_FAST_PATH}) sends
 * everything through Micronaut, for comparison.
 */
@Singleton
public final class EmbeddingsFastPath
    implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingsFastPath.class);
  static final String PATH = "/v1/embeddings";
  private static final String HANDLER = "flexserve-embeddings-fast-path";

  private static final Runnable NOTHING = () -> {};

  /** Messages held on one connection while a request is served here before reading pauses. */
  private static final int MAX_HELD = 64;

  private final boolean enabled;
  private final EmbeddingsRequestParser parser;
  private final EmbeddingService service;
  private final ModelCatalog catalog;
  private final FlexserveConfig config;
  private final ApiKeyCheck keys;
  private final ClientDisconnects disconnects;
  private final EmbeddingsAnswers answers;

  public EmbeddingsFastPath(
      @Value("${flexserve.embeddings-fast-path:true}") boolean enabled,
      EmbeddingsRequestParser parser,
      EmbeddingService service,
      ModelCatalog catalog,
      FlexserveConfig config,
      ServerMetrics metrics,
      ApiKeyCheck keys,
      ClientDisconnects disconnects,
      JsonMapper json) {
    this.enabled = enabled;
    this.parser = parser;
    this.service = service;
    this.catalog = catalog;
    this.config = config;
    this.keys = keys;
    this.disconnects = disconnects;
    this.answers = new EmbeddingsAnswers(metrics, json);
  }

  @Override
  public NettyServerCustomizer.Registry onCreated(
      BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
    if (enabled) {
      event
          .getBean()
          .register(
              new NettyServerCustomizer() {
                @Override
                public NettyServerCustomizer specializeForChannel(
                    Channel channel, ChannelRole role) {
                  return role == ChannelRole.CONNECTION ? new Installer(channel) : this;
                }
              });
    }
    return event.getBean();
  }

  /** Puts one {@link PerConnection} behind the HTTP/1.1 codec (and the read timeouts, if there). */
  private final class Installer implements NettyServerCustomizer {
    private final Channel channel;

    Installer(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void onStreamPipelineBuilt() {
      var pipeline = channel.pipeline();
      if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) == null) {
        return; // not HTTP/1.1 (or refused by ConnectionGuard before a codec was added)
      }
      String after =
          pipeline.get(ConnectionGuard.READ_TIMEOUT_HANDLER) != null
              ? ConnectionGuard.READ_TIMEOUT_HANDLER
              : ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC;
      pipeline.addAfter(after, HANDLER, new PerConnection());
    }
  }

  /** Whether {@code request} is the common kind this path takes; the rest go to Micronaut. */
  static boolean takes(HttpRequest request) {
    if (request.method() != HttpMethod.POST
        || !request.uri().equals(PATH)
        || request.protocolVersion() != HttpVersion.HTTP_1_1
        || !request.decoderResult().isSuccess()
        || !HttpUtil.isKeepAlive(request)
        || request.headers().contains(HttpHeaderNames.EXPECT)
        || request.headers().contains(HttpHeaderNames.CONTENT_ENCODING)
        || request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return false;
    }
    java.util.List<String> lengths = request.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (lengths.size() != 1) {
      return false;
    }
    try {
      long length = Long.parseLong(lengths.get(0).strip());
      return length >= 0 && length <= EmbeddingsController.INLINE_BODY_BYTES;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** One connection's state; every method runs on its event loop, except where noted. */
  private final class PerConnection extends ChannelDuplexHandler {
    /** Requests passed on to Micronaut whose answers have not been written in full yet. */
    private int frameworkOutstanding;

    /** The request whose body is being collected here, or null. */
    private Capture capture;

    /** A request taken here is being served: later messages wait in {@link #held}. */
    private boolean serving;

    private final ArrayDeque<Object> held = new ArrayDeque<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (serving) {
        held.add(msg);
      } else {
        dispatch(ctx, msg);
      }
    }

    private void dispatch(ChannelHandlerContext ctx, Object msg) {
      if (capture != null) {
        if (msg instanceof HttpContent content) {
          capture.append(content);
          ReferenceCountUtil.release(msg);
          if (msg instanceof LastHttpContent) {
            Capture done = capture;
            capture = null;
            serve(ctx, done);
          }
        } else {
          ReferenceCountUtil.release(msg); // the codec sends only content until the last
        }
        return;
      }
      if (msg instanceof HttpRequest request && frameworkOutstanding == 0 && takes(request)) {
        capture = new Capture(request, System.nanoTime());
        if (msg instanceof HttpContent) { // a whole request in one message
          dispatch(ctx, msg);
        }
        return;
      }
      if (msg instanceof HttpRequest) {
        frameworkOutstanding++;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
      // Reading goes on while a request is served here, so a client that leaves is seen at once and
      // its work cancelled; only a client that pipelines many requests meanwhile is made to wait.
      // (a read held back here is asked for again once the answer is out)
      if (!serving || held.size() < MAX_HELD) {
        ctx.read();
      }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      // Only Micronaut's writes pass here (this handler's own start at the handler before it): an
      // answer is complete at its last content; an informational one (100 Continue) ends nothing
      boolean informational =
          msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (msg instanceof LastHttpContent && !informational && frameworkOutstanding > 0) {
        frameworkOutstanding--;
      }
      ctx.write(msg, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      held.forEach(ReferenceCountUtil::release);
      held.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      handlerRemoved(ctx);
      ctx.fireChannelInactive();
    }

    private void serve(ChannelHandlerContext ctx, Capture request) {
      serving = true;
      ctx.read(); // keep reading while it is served: a client that leaves is seen at once
      HttpHeaders headers = request.head.headers();
      String requestId = RequestTags.idFor(headers.get(RequestTags.HEADER));
      CompletableFuture<EmbeddingService.Served> work;
      EmbeddingsRequest parsed;
      try {
        ApiException refused = keys.refusal(PATH, headers.get(HttpHeaderNames.AUTHORIZATION));
        if (refused != null) {
          throw refused;
        }
        RoutingHeaders routing = RoutingHeaders.from(headers::getAll);
        parsed = parser.parse(request.body, config.maxInputs());
        String model = parsed.model().isEmpty() ? catalog.defaultModelName() : parsed.model();
        work = service.embed(request.arrivalNanos / 1e6, model, parsed, routing);
      } catch (RuntimeException e) {
        answer(ctx, answers.error(requestId, e), NOTHING);
        return;
      }
      ClientDisconnects.Watch watch =
          disconnects.watch(ctx.channel(), PATH, () -> work.cancel(false));
      // on the thread that completes the work (the inference worker), or here if it already has
      work.whenComplete(
          (served, failure) -> {
            watch.done();
            if (work.isCancelled()) {
              return; // the client went: nothing to write to
            }
            FullHttpResponse response;
            Runnable onWritten = NOTHING;
            try {
              response =
                  failure == null
                      ? answers.ok(requestId, parsed, served)
                      : answers.error(requestId, failure);
              if (failure == null) {
                onWritten = () -> service.written(served, request.arrivalNanos / 1e6);
              }
            } catch (RuntimeException e) {
              response = answers.error(requestId, e);
            }
            answer(ctx, response, onWritten);
          });
    }

    /**
     * Writes {@code response}; once it is out, {@code onWritten} runs and what arrived meanwhile
     * goes on. Any thread.
     */
    private void answer(ChannelHandlerContext ctx, FullHttpResponse response, Runnable onWritten) {
      ctx.writeAndFlush(response)
          .addListener(
              written -> {
                serving = false;
                if (written.isSuccess()) {
                  try {
                    onWritten.run(); // the answer's tail, for the response margin
                  } catch (RuntimeException e) {
                    LOG.warn("after writing an embeddings answer", e);
                  }
                }
                // What arrived meanwhile goes on as one read batch: the handlers after this one
                // (Micronaut's) flush their answers and ask for more at a read's completion.
                boolean replayed = false;
                while (!serving && !held.isEmpty()) {
                  dispatch(ctx, held.poll());
                  replayed = true;
                }
                if (replayed) {
                  ctx.fireChannelReadComplete();
                }
                if (!serving) {
                  // Micronaut counts its own read requests by the reads it sees; it saw none of
                  // this request's, so the next read is asked for here
                  ctx.read();
                }
              });
    }
  }

  /** A request being read: its head, arrival and body so far (its length is known). */
  private static final class Capture {
    final HttpRequest head;
    final long arrivalNanos;
    final byte[] body;
    private int filled;

    Capture(HttpRequest head, long arrivalNanos) {
      this.head = head;
      this.arrivalNanos = arrivalNanos;
      this.body = new byte[(int) HttpUtil.getContentLength(head)];
    }

    void append(HttpContent content) {
      int n = Math.min(content.content().readableBytes(), body.length - filled);
      content.content().readBytes(body, filled, n);
      filled += n;
    }
  }
}
