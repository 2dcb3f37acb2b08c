package io.flexserve.server.api;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.server.errors.ApiException;
import io.micronaut.http.HttpHeaders;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The routing request headers, validated.
 *
 * @param latencyTargetMillis {@code X-Latency-Target-Ms}: end-to-end target, present when sent
 * @param forcedSubnet {@code X-Subnet}: a sub-network to use regardless of the target
 * @param deadlinePolicy {@code X-Deadline-Policy}: best-effort (default) or strict
 */
public record RoutingHeaders(OptionalDouble latencyTargetMillis, Optional<String> forcedSubnet, DeadlinePolicy deadlinePolicy) {
  public static final String LATENCY_TARGET = "X-Latency-Target-Ms";
  public static final String SUBNET = "X-Subnet";
  public static final String DEADLINE_POLICY = "X-Deadline-Policy";
  private static final double MAX_TARGET_MILLIS = 3_600_000;

  public static RoutingHeaders from(HttpHeaders headers) {
    OptionalDouble target = OptionalDouble.empty();
    String raw = headers.get(LATENCY_TARGET);
    if (raw != null) {
      double v;
      try {
        v = Double.parseDouble(raw.strip());
      } catch (NumberFormatException e) {
        throw new ApiException.BadRequest("invalid_header", LATENCY_TARGET + " must be a number of milliseconds, got '" + raw + "'");
      }
      if (!(v > 0) || v > MAX_TARGET_MILLIS) {
        throw new ApiException.InvalidValue("invalid_header", LATENCY_TARGET + " must be > 0 and ≤ " + (long) MAX_TARGET_MILLIS + ", got '" + raw + "'");
      }
      target = OptionalDouble.of(v);
    }
    String subnet = headers.get(SUBNET);
    DeadlinePolicy policy;
    try {
      policy = DeadlinePolicy.parse(headers.get(DEADLINE_POLICY));
    } catch (IllegalArgumentException e) {
      throw new ApiException.BadRequest("invalid_header", DEADLINE_POLICY + " must be 'best-effort' or 'strict', got '" + headers.get(DEADLINE_POLICY) + "'");
    }
    return new RoutingHeaders(target, Optional.ofNullable(subnet).map(String::strip).filter(s -> !s.isEmpty()), policy);
  }
}
