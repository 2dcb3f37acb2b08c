package io.flexserve.loadtest.http;

import java.net.http.HttpHeaders;

/**
 * Receives what happens to one request. Every method is called on the client's event-loop thread,
 * so an implementation needs no locking of its own, must not block, and should be quick: its CPU is
 * the load generator's. Times are {@code System.nanoTime()}.
 *
 * <p>Order: {@link #sent} at most once, then any number of {@link #line} calls (only with {@link
 * BodyMode#LINES}), then exactly one of {@link #completed} or {@link #failed}.
 */
public interface Exchange {
  /**
   * The request was handed to a connection: written to an idle one, or a new connection was started
   * for it. Not called when it failed before that (the client was closed).
   */
  void sent(long nanos);

  /** One line of the body, at its arrival. */
  default void line(String line, long nanos) {}

  /**
   * The whole answer has arrived.
   *
   * @param status the HTTP status
   * @param headers the response headers
   * @param body the body with {@link BodyMode#WHOLE}; empty otherwise
   * @param nanos when the last byte arrived
   */
  void completed(int status, HttpHeaders headers, String body, long nanos);

  /**
   * The request ended without a whole answer: {@link java.util.concurrent.TimeoutException} after
   * the request's timeout, {@link java.net.ConnectException} when the connection was refused, or
   * another {@link java.io.IOException} when the connection broke.
   */
  void failed(Throwable cause, long nanos);
}
