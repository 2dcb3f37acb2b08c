package io.flexserve.server.security;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.ApiExceptionHandler;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Optional API keys and per-key rate limits, before any controller. With no key configured (the
 * default) every request passes. With keys, every request needs {@code Authorization: Bearer <key>}
 * except the health probes ({@code /v2/health/live}, {@code /v2/health/ready}) and, unless {@code
 * flexserve.metrics-auth}, {@code /metrics}; otherwise 401 {@code invalid_api_key} with {@code
 * WWW-Authenticate: Bearer}. With a rate, each key has a {@link TokenBucket}; a request over it
 * gets 429 {@code rate_limited} with {@code Retry-After}. The check itself is {@link ApiKeyCheck},
 * which the embeddings fast path shares. Errors go through {@link ApiExceptionHandler}, so they
 * have the one JSON error body.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AuthFilter implements Ordered {
  private final ApiKeyCheck check;
  private final ApiExceptionHandler errors;

  public AuthFilter(ApiKeyCheck check, ApiExceptionHandler errors) {
    this.check = check;
    this.errors = errors;
  }

  @Override
  public int getOrder() {
    // right after ResponseCounter (which must come first to count the 401s and 429s returned here),
    // before the rest
    return Ordered.HIGHEST_PRECEDENCE + 100;
  }

  /**
   * @return null to let the request through, or the error response
   */
  @RequestFilter
  @Nullable
  public HttpResponse<?> authenticate(HttpRequest<?> request) {
    ApiException refused =
        check.refusal(request.getPath(), request.getHeaders().get(HttpHeaders.AUTHORIZATION));
    return refused == null ? null : errors.handle(request, refused);
  }
}
