package io.flexserve.server.request;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.server.errors.ApiException;
import io.micronaut.http.HttpHeaders;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The routing request headers, validated.
 *
 * @param latencyTargetMillis {@code X-Latency-Target-Ms}: end-to-end target, present when sent
 * @param forcedSubnet {@code X-Subnet}: a sub-network to use regardless of the target
 * @param deadlinePolicy {@code X-Deadline-Policy}: best-effort (default) or strict
 * @param ttftTargetMillis {@code X-TTFT-Target-Ms}: time to first token, generation only
 * @param tpotTargetMillis {@code X-TPOT-Target-Ms}: time per output token, generation only
 * @param timeoutMillis {@code X-Request-Timeout-Ms}: give up (504) after this long, when sent;
 *     unlike a target, a timeout stops the work
 */
public record RoutingHeaders(
    OptionalDouble latencyTargetMillis,
    Optional<String> forcedSubnet,
    DeadlinePolicy deadlinePolicy,
    OptionalDouble ttftTargetMillis,
    OptionalDouble tpotTargetMillis,
    OptionalDouble timeoutMillis) {
  public static final String LATENCY_TARGET = "X-Latency-Target-Ms";
  public static final String TTFT_TARGET = "X-TTFT-Target-Ms";
  public static final String TPOT_TARGET = "X-TPOT-Target-Ms";
  public static final String SUBNET = "X-Subnet";
  public static final String DEADLINE_POLICY = "X-Deadline-Policy";
  public static final String TIMEOUT = "X-Request-Timeout-Ms";
  private static final double MAX_TARGET_MILLIS = 3_600_000;

  public static RoutingHeaders from(HttpHeaders headers) {
    return from(headers::getAll);
  }

  /**
   * The routing headers from any request's headers, given as all values by name (Micronaut's and
   * Netty's header maps both have one).
   */
  public static RoutingHeaders from(Function<String, List<String>> headers) {
    OptionalDouble target = millis(headers, LATENCY_TARGET);
    String subnet = single(headers, SUBNET);
    String policyName = single(headers, DEADLINE_POLICY);
    DeadlinePolicy policy;
    try {
      policy = DeadlinePolicy.parse(policyName);
    } catch (IllegalArgumentException e) {
      throw new ApiException.BadRequest(
          "invalid_header",
          DEADLINE_POLICY + " must be 'best-effort' or 'strict', got '" + policyName + "'");
    }
    return new RoutingHeaders(
        target,
        Optional.ofNullable(subnet).map(String::strip).filter(s -> !s.isEmpty()),
        policy,
        millis(headers, TTFT_TARGET),
        millis(headers, TPOT_TARGET),
        millis(headers, TIMEOUT));
  }

  /**
   * The one value of header {@code name}, or null when absent. Sent twice it is a 400: which one
   * the client meant is not ours to guess (a proxy may have added one).
   */
  public static String single(HttpHeaders headers, String name) {
    return single(headers::getAll, name);
  }

  private static String single(Function<String, List<String>> headers, String name) {
    List<String> all = headers.apply(name);
    if (all.size() > 1) {
      throw new ApiException.BadRequest(
          "duplicate_header", name + " was sent " + all.size() + " times; send it once");
    }
    return all.isEmpty() ? null : all.get(0);
  }

  /** A target header in milliseconds: absent, or a number in (0, 1 h]. */
  private static OptionalDouble millis(Function<String, List<String>> headers, String name) {
    return millis(name, single(headers, name));
  }

  /** A target in milliseconds named {@code name}: absent (null), or a number in (0, 1 h]. */
  public static OptionalDouble millis(String name, String raw) {
    if (raw == null) {
      return OptionalDouble.empty();
    }
    double v;
    try {
      v = Double.parseDouble(raw.strip());
    } catch (NumberFormatException e) {
      throw new ApiException.BadRequest(
          "invalid_header", name + " must be a number of milliseconds, got '" + raw + "'");
    }
    if (!(v > 0) || v > MAX_TARGET_MILLIS) {
      throw new ApiException.InvalidValue(
          "invalid_header",
          name + " must be > 0 and ≤ " + (long) MAX_TARGET_MILLIS + ", got '" + raw + "'");
    }
    return OptionalDouble.of(v);
  }
}
