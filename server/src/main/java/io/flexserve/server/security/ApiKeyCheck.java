package io.flexserve.server.security;

import io.flexserve.server.config.FlexserveConfig;
import io.flexserve.server.errors.ApiException;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API key and rate limit check, shared by {@link AuthFilter} (every route Micronaut serves) and
 * the embeddings fast path, which answers before Micronaut's filters run. With no key configured
 * (the default) every request passes. With keys, every request needs {@code Authorization: Bearer
 * <key>} except the health probes and, unless {@code flexserve.metrics-auth}, {@code /metrics}.
 * With a rate, each key has a {@link TokenBucket}.
 */
@Singleton
public final class ApiKeyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyCheck.class);
  private static final Set<String> ALWAYS_OPEN = Set.of("/v2/health/live", "/v2/health/ready");
  private static final String BEARER = "bearer ";

  private final ApiKeys keys;
  private final boolean metricsAuth;
  private final TokenBucket[]
      buckets; // one per configured key, by ApiKeys index; null when rate limiting is off

  public ApiKeyCheck(FlexserveConfig config) {
    this.keys = ApiKeys.of(config.apiKeys(), config.apiKeysFile());
    this.metricsAuth = config.metricsAuth();
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

  /**
   * Why a request to {@code path} with this {@code Authorization} header is refused (401
   * invalid_api_key, 429 rate_limited), or null to let it through. Takes one token from the key's
   * bucket when it passes.
   */
  @Nullable
  public ApiException refusal(String path, @Nullable String header) {
    if (!keys.enabled()) {
      return null;
    }
    if (ALWAYS_OPEN.contains(path) || (!metricsAuth && path.equals("/metrics"))) {
      return null;
    }
    if (header == null
        || header.length() <= BEARER.length()
        || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return new ApiException.Unauthorized(
          "invalid_api_key", "missing API key: send the header Authorization: Bearer <key>");
    }
    int key = keys.match(header.substring(BEARER.length()).strip());
    if (key < 0) {
      return new ApiException.Unauthorized("invalid_api_key", "invalid API key");
    }
    if (buckets != null) {
      long waitNanos = buckets[key].tryAcquire();
      if (waitNanos > 0) {
        return new ApiException.Overloaded(
            "rate_limited",
            "rate limit for this API key exceeded; retry later",
            TokenBucket.retryAfterSeconds(waitNanos));
      }
    }
    return null;
  }
}
