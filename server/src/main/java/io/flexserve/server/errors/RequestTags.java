package io.flexserve.server.errors;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Tags every request, first thing on the event loop, with its arrival time and an id.
 *
 * <p>Arrival: latency targets count from here, so time spent waiting for a request thread or
 * reading the body is inside the budget the scheduler plans with, as it is inside what the client
 * measures.
 *
 * <p>Id: every response gets the header {@code X-Request-Id}, so a client can quote the id of a
 * failure and an operator can find it in the log (5xx bodies and log lines carry it too). A
 * client's own {@code X-Request-Id} is kept when it is a plain token (letters, digits, {@code . _ :
 * -}, at most 128); anything else is replaced rather than echoed, so the header cannot carry
 * injected text into logs.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class RequestTags implements Ordered {
  public static final String HEADER = "X-Request-Id";
  private static final String ATTRIBUTE = "flexserve.request-id";
  private static final String ARRIVAL = "flexserve.arrival-ms";
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** The id given to {@code request}, when this filter saw it. */
  public static Optional<String> id(HttpRequest<?> request) {
    return request.getAttribute(ATTRIBUTE, String.class);
  }

  /**
   * When {@code request} arrived, {@link System#nanoTime} in milliseconds (now, if this filter did
   * not see it).
   */
  public static double arrivalMillis(HttpRequest<?> request) {
    return request.getAttribute(ARRIVAL, Double.class).orElseGet(() -> System.nanoTime() / 1e6);
  }

  /** A fresh request id (32 hex digits). */
  public static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * A request's id: {@code sent}, the client's own {@code X-Request-Id} (null if none), when it is
   * a plain token; a fresh one otherwise.
   */
  public static String idFor(String sent) {
    return sent != null && PLAIN.matcher(sent).matches() ? sent : newId();
  }

  @Override
  public int getOrder() {
    // after ResponseCounter, before AuthFilter: 401s and 429s from authentication carry the id too
    return Ordered.HIGHEST_PRECEDENCE + 50;
  }

  @RequestFilter
  public void assign(HttpRequest<?> request) {
    request.setAttribute(ARRIVAL, System.nanoTime() / 1e6);
    request.setAttribute(ATTRIBUTE, idFor(request.getHeaders().get(HEADER)));
  }

  @ResponseFilter
  public void label(HttpRequest<?> request, MutableHttpResponse<?> response) {
    id(request).ifPresent(id -> response.header(HEADER, id));
  }
}
