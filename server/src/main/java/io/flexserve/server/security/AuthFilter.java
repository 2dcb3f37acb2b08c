package io.flexserve.server.security;

import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.errors.ApiExceptionHandler;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Optional API keys and per-key rate limits, before any controller. With no key configured (the
 * default) every request passes. With keys, every request needs {@code Authorization: Bearer <key>}
 * except the health probes ({@code /v2/health/live}, {@code /v2/health/ready}) and, unless {@code
 * flexserve.metrics-auth}, {@code /metrics}; otherwise 401 {@code invalid_api_key} with {@code
 * WWW-Authenticate: Bearer}. With a rate, each key has a {@link TokenBucket}; a request over it
 * gets 429 {@code rate_limited} with {@code Retry-After}. Errors go through {@link
 * ApiExceptionHandler}, so they have the one JSON error body.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AuthFilter implements Ordered {
  private static final Logger LOG = LoggerFactory.getLogger(AuthFilter.class);
  private static final Set<String> ALWAYS_OPEN = Set.of("/v2/health/live", "/v2/health/ready");
  private static final String BEARER = "bearer ";

  private final ApiKeys keys;
  private final boolean metricsAuth;
  private final TokenBucket[]
      buckets; // one per configured key, by ApiKeys index; null when rate limiting is off
  private final ApiExceptionHandler errors;

  public AuthFilter(FlexserveConfig config, ApiExceptionHandler errors) {
    this.keys = ApiKeys.of(config.apiKeys(), config.apiKeysFile());
    this.metricsAuth = config.metricsAuth();
    this.errors = errors;
    if (keys.enabled() && config.rateLimitPerKey() > 0) {
      buckets = new TokenBucket[keys.size()];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] =
            new TokenBucket(
                config.rateLimitPerKey(), config.effectiveRateLimitBurst(), System::nanoTime);
      }
    } else {
      buckets = null;
    }
    if (keys.enabled()) {
      LOG.info(
          "API key authentication on: {} key(s); /metrics {}; rate limit {}",
          keys.size(),
          metricsAuth ? "needs a key" : "open",
          buckets == null
              ? "off"
              : config.rateLimitPerKey() + "/s per key, burst " + config.effectiveRateLimitBurst());
    } else if (config.rateLimitPerKey() > 0) {
      LOG.warn(
          "flexserve.rate-limit-per-key is set but no API keys are configured: rate limits apply per key, so "
              + "none are enforced");
    }
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
    if (!keys.enabled()) {
      return null;
    }
    String path = request.getPath();
    if (ALWAYS_OPEN.contains(path) || (!metricsAuth && path.equals("/metrics"))) {
      return null;
    }
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (header == null
        || header.length() <= BEARER.length()
        || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return errors.handle(
          request,
          new ApiException.Unauthorized(
              "invalid_api_key", "missing API key: send the header Authorization: Bearer <key>"));
    }
    int key = keys.match(header.substring(BEARER.length()).strip());
    if (key < 0) {
      return errors.handle(
          request, new ApiException.Unauthorized("invalid_api_key", "invalid API key"));
    }
    if (buckets != null) {
      long waitNanos = buckets[key].tryAcquire();
      if (waitNanos > 0) {
        return errors.handle(
            request,
            new ApiException.Overloaded(
                "rate_limited",
                "rate limit for this API key exceeded; retry later",
                TokenBucket.retryAfterSeconds(waitNanos)));
      }
    }
    return null;
  }
}
