package io.flexserve.loadtest.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A non-blocking HTTP/1.1 client for load generation: one event-loop thread, a pool of keep-alive
 * connections per host and port, one request in flight per connection.
 *
 * <p>Use: {@link #open} once, {@link #prepare} each request before the run (the request line and
 * headers are encoded then, not while sending), {@link #send} from any thread, {@link #close} at
 * the end. {@link #send} returns at once; what happens is reported to the request's {@link
 * Exchange} on the event-loop thread.
 *
 * <p><b>Why one class of 450 lines.</b> The pool, the timed sends and the response reading share
 * one event-loop thread's state (idle connections, the exchange each connection carries); kept in
 * one class, every piece of that state is touched on that thread only, without locks.
 */
public final class NettyHttpClient implements AutoCloseable {
  /*
   * Transport: Linux epoll when its native library loads (timers through timerfd, so a send can be
   * timed to the microsecond), otherwise NIO.
   *
   * Why a client of our own. The load generator must cost little CPU per request (issue 19: at most
   * 50 µs), or on a 2-core machine it takes CPU from the server it measures. java.net.http's
   * HttpClient costs several times that per request (a selector-manager thread, an executor hop
   * per response, reactive body subscribers). Here one request costs: a task handed to the event
   * loop, one write of pre-encoded bytes, Netty's response decoder, and the Exchange's callbacks.
   *
   * Threading. Everything except `send`'s hand-over and `close` runs on the single event-loop
   * thread: pools, connections, timeouts and all Exchange callbacks. A caller that sends from a
   * task it gave to `at` needs no hand-over at all: on this VM-hosted hardware each thread wake-up
   * costs about 30 µs of CPU (measured: parkNanos and a timed select each), so the number of
   * wake-ups per request, not the instructions, decides the generator's cost. Pool and connection state is
   * therefore plain fields with no locks; `send` reaches it only through EventLoop.execute, which
   * orders the caller's writes of the prepared request before the loop's reads.
   *
   * Pool protocol (per host:port). A request takes the most recently used idle connection (LIFO,
   * so a light load keeps few connections warm). With none idle it opens a new connection, up to
   * maxConnections open at once (counting those being opened); at the cap it waits in a FIFO for
   * the next connection that finishes its request. A connection whose response said
   * "Connection: close", failed, or timed out is closed and no longer counted, and a waiting
   * request then gets a new one. Invariants: `open` = connections opening + idle + busy; a
   * connection is in `idle` iff it is active and has no request; a request is in `waiting` only
   * while open == maxConnections.
   *
   * Timeouts start at the hand-over on the loop and cover waiting, connecting, sending and reading.
   * On expiry the Exchange fails with TimeoutException and the request's connection, if any, is
   * closed (its answer could still arrive and would be taken for the next request's). Each request
   * has a timer of its own, cancelled when it finishes; it costs no wake-up, because the loop's
   * next deadline is almost always the schedule's next send, which comes sooner. (A periodic sweep
   * instead would wake the loop tens of times a second for nothing.)
   */

  /** Whether the Linux epoll transport is in use (else NIO). */
  public static final boolean EPOLL = Epoll.isAvailable();

  /** The default cap on open connections per host and port. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int maxConnections;
  private final long eventLoopThreadId;
  private final Map<String, Pool> pools = new HashMap<>(); // event loop only
  private long connectionsOpened; // event loop only
  private volatile boolean closed;

  private NettyHttpClient(int maxConnections, Duration connectTimeout) {
    this.maxConnections = maxConnections;
    this.group =
        new MultiThreadIoEventLoopGroup(
            1,
            r -> {
              Thread t = new Thread(r, "loadtest-http");
              t.setDaemon(true);
              return t;
            },
            EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.loop = group.next();
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())));
    try {
      this.eventLoopThreadId = loop.submit(() -> Thread.currentThread().getId()).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("interrupted while starting the event loop", e);
    } catch (ExecutionException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("the event loop did not start", e.getCause());
    }
  }

  /**
   * Starts a client and its event-loop thread (a daemon thread named {@code loadtest-http}).
   *
   * @param maxConnections the most connections open at once to one host and port; at least 1
   * @param connectTimeout how long a connection attempt may take; positive
   * @return the client; the caller closes it
   */
  public static NettyHttpClient open(int maxConnections, Duration connectTimeout) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout must be positive, got " + connectTimeout);
    }
    return new NettyHttpClient(maxConnections, connectTimeout);
  }

  /**
   * Encodes {@code request}'s request line and headers; the result can be sent any number of times.
   */
  public Prepared prepare(OutgoingRequest request) {
    return encode(request);
  }

  /**
   * Encodes {@code request} as {@link #prepare} does, without a client: the native sender sends the
   * same bytes ({@link Prepared#wire}).
   */
  public static Prepared encode(OutgoingRequest request) {
    String host = request.uri().getHost();
    int port = request.port();
    String path = request.uri().getRawPath();
    if (path == null || path.isEmpty()) {
      path = "/";
    }
    if (request.uri().getRawQuery() != null) {
      path += "?" + request.uri().getRawQuery();
    }
    StringBuilder head = new StringBuilder(256);
    head.append(request.method()).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(hostHeader(host)).append(':').append(port).append("\r\n");
    request.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (request.body().length > 0 || !request.method().equals("GET")) {
      head.append("Content-Length: ").append(request.body().length).append("\r\n");
    }
    head.append("\r\n");
    return new Prepared(
        host + ":" + port,
        host,
        port,
        head.toString().getBytes(StandardCharsets.UTF_8),
        request.body(),
        request.timeout().toNanos());
  }

  private static String hostHeader(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * Sends {@code request} without waiting: hands it to the event loop, which writes it to an idle
   * connection, opens one, or queues it until one is free. Thread-safe. After {@link #close}, fails
   * the exchange at once on the calling thread.
   *
   * @param request a request prepared by this client
   * @param mode what to do with the response body
   * @param exchange receives the outcome on the event-loop thread
   */
  public void send(Prepared request, BodyMode mode, Exchange exchange) {
    Call call = new Call(request, mode, exchange);
    if (closed) {
      exchange.failed(new IllegalStateException("the client is closed"), System.nanoTime());
      return;
    }
    if (loop.inEventLoop()) {
      dispatch(call);
    } else {
      loop.execute(() -> dispatch(call));
    }
  }

  /**
   * Runs {@code task} on the event-loop thread once {@code System.nanoTime()} has reached {@code
   * deadlineNanos} (at once if it has). A task that calls {@link #send} sends without a hand-over
   * between threads, so an open-loop schedule driven from here costs one timer wake-up per send.
   * With epoll the timer has nanosecond resolution (timerfd); with NIO it rounds up to the next
   * millisecond.
   */
  public void at(long deadlineNanos, Runnable task) {
    long delay = deadlineNanos - System.nanoTime();
    if (delay <= 0 && loop.inEventLoop()) {
      task.run();
    } else {
      loop.schedule(task, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }
  }

  /** The id of the event-loop thread, for per-thread CPU accounting. */
  public long eventLoopThreadId() {
    return eventLoopThreadId;
  }

  /** Connections opened since the client started (a measure of keep-alive reuse). */
  public long connectionsOpened() {
    return onLoop(() -> connectionsOpened);
  }

  /** Connections open now, over all hosts. */
  public int openConnections() {
    return onLoop(() -> pools.values().stream().mapToInt(p -> p.open).sum());
  }

  private <T> T onLoop(java.util.concurrent.Callable<T> task) {
    try {
      return loop.submit(task).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the event loop did not answer", e);
    }
  }

  /**
   * Fails every request still waiting or in flight, closes every connection and stops the
   * event-loop thread. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture<Void> drained = new CompletableFuture<>();
    loop.execute(
        () -> {
          List<Channel> channels = new ArrayList<>();
          for (Pool pool : pools.values()) {
            Call waiting;
            while ((waiting = pool.waiting.poll()) != null) {
              waiting.fail(new java.io.IOException("the client was closed"));
            }
            channels.addAll(pool.channels);
          }
          channels.forEach(Channel::close);
          drained.complete(null);
        });
    try {
      drained.get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // shut down regardless
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // ---- event loop only below ----

  private void dispatch(Call call) {
    if (closed) {
      call.fail(new java.io.IOException("the client was closed"));
      return;
    }
    Pool pool = pools.computeIfAbsent(call.request.key, k -> new Pool(call.request));
    call.pool = pool;
    call.timeout = loop.schedule(call::expire, call.request.timeoutNanos, TimeUnit.NANOSECONDS);
    pool.assign(call);
  }

  /** The connections to one host and port; event loop only. */
  final class Pool {
    final InetSocketAddress address;
    final Bootstrap connector;
    final ArrayDeque<Connection> idle = new ArrayDeque<>();
    final ArrayDeque<Call> waiting = new ArrayDeque<>();
    final List<Channel> channels = new ArrayList<>();
    int open;

    Pool(Prepared first) {
      // resolved once, on the loop: a literal address or localhost, so no real lookup
      this.address = new InetSocketAddress(first.host, first.port);
      Pool self = this;
      this.connector =
          bootstrap
              .clone()
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new HttpResponseDecoder(), new Connection(self));
                    }
                  });
    }

    void assign(Call call) {
      Connection c;
      while ((c = idle.pollLast()) != null) {
        if (c.active()) {
          c.start(call);
          return;
        }
      }
      if (open < maxConnections) {
        connect(call);
      } else {
        waiting.addLast(call);
      }
    }

    private void connect(Call call) {
      open++;
      connectionsOpened++;
      call.markSent();
      ChannelFuture f = connector.connect(address);
      channels.add(f.channel());
      f.addListener(
          done -> {
            if (done.isSuccess()) {
              f.channel().pipeline().get(Connection.class).start(call);
            } else {
              // channelInactive never fires for a channel that did not connect
              closed(f.channel(), null);
              call.fail(done.cause());
            }
          });
    }

    /** A connection finished its request and can take another. */
    void release(Connection c) {
      Call next;
      while ((next = waiting.pollFirst()) != null) {
        if (!next.done) {
          c.start(next);
          return;
        }
      }
      idle.addLast(c);
    }

    /**
     * A connection closed (or never opened); {@code c} is its handler, null if it never connected.
     */
    void closed(Channel channel, Connection c) {
      if (!channels.remove(channel)) {
        return;
      }
      open--;
      if (c != null) {
        idle.remove(c);
      }
      Call next;
      while (open < maxConnections && (next = waiting.pollFirst()) != null) {
        if (!next.done) {
          connect(next);
        }
      }
    }
  }

  /** One request's passage through the client; event loop only, after the hand-over. */
  static final class Call {
    final Prepared request;
    final BodyMode mode;
    final Exchange exchange;
    Pool pool;
    io.netty.util.concurrent.ScheduledFuture<?> timeout;
    Connection connection;
    boolean sent;
    boolean done;

    Call(Prepared request, BodyMode mode, Exchange exchange) {
      this.request = request;
      this.mode = mode;
      this.exchange = exchange;
    }

    void markSent() {
      if (!sent) {
        sent = true;
        exchange.sent(System.nanoTime());
      }
    }

    void fail(Throwable cause) {
      if (done) {
        return;
      }
      done = true;
      if (timeout != null) {
        timeout.cancel(false);
      }
      exchange.failed(cause, System.nanoTime());
    }

    void complete(int status, java.net.http.HttpHeaders headers, String body, long nanos) {
      if (done) {
        return;
      }
      done = true;
      timeout.cancel(false);
      exchange.completed(status, headers, body, nanos);
    }

    void expire() {
      if (done) {
        return;
      }
      pool.waiting.remove(this);
      fail(
          new TimeoutException(
              "no complete answer within " + request.timeoutNanos / 1_000_000 + " ms"));
      if (connection != null) {
        connection.abandon();
      }
    }
  }

  /**
   * A request prepared by {@link #prepare}: the encoded request line and headers, the body, where
   * it goes and its timeout. Immutable.
   */
  public static final class Prepared {
    final String key;
    final String host;
    final int port;
    final byte[] head;
    final byte[] body;
    final long timeoutNanos;

    Prepared(String key, String host, int port, byte[] head, byte[] body, long timeoutNanos) {
      this.key = key;
      this.host = host;
      this.port = port;
      this.head = head;
      this.body = body;
      this.timeoutNanos = timeoutNanos;
    }

    /** The host the request goes to, as its URI names it. */
    public String host() {
      return host;
    }

    /** The port the request goes to. */
    public int port() {
      return port;
    }

    /** The per-request timeout, nanoseconds. */
    public long timeoutNanos() {
      return timeoutNanos;
    }

    /** The whole request as sent: request line, headers and body; a new array. */
    public byte[] wire() {
      byte[] out = java.util.Arrays.copyOf(head, head.length + body.length);
      System.arraycopy(body, 0, out, head.length, body.length);
      return out;
    }
  }
}
