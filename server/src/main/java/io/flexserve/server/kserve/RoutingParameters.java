package io.flexserve.server.kserve;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.server.errors.ApiException;
import io.flexserve.server.request.RoutingHeaders;
import io.micronaut.http.HttpHeaders;
import io.micronaut.json.tree.JsonNode;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The routing choices of an inference request: the {@code X-*} headers as on {@code /v1}, or the
 * same choices as request {@code parameters} (for protocol clients that cannot set headers): {@code
 * subnet}, {@code latency_target_ms}, {@code ttft_target_ms}, {@code tpot_target_ms}, {@code
 * deadline_policy}, {@code timeout_ms}. One choice sent both ways is a 422 {@code
 * conflicting_headers}.
 */
final class RoutingParameters {
  private RoutingParameters() {}

  static RoutingHeaders of(HttpHeaders headers, JsonNode parameters) {
    RoutingHeaders h = RoutingHeaders.from(headers);
    if (parameters == null) {
      return h;
    }
    Optional<String> subnet =
        pick(h.forcedSubnet(), text(parameters, "subnet"), RoutingHeaders.SUBNET, "subnet");
    String policyText = text(parameters, "deadline_policy").orElse(null);
    DeadlinePolicy policy = h.deadlinePolicy();
    if (policyText != null) {
      if (headers.contains(RoutingHeaders.DEADLINE_POLICY)) {
        throw conflict(RoutingHeaders.DEADLINE_POLICY, "deadline_policy");
      }
      try {
        policy = DeadlinePolicy.parse(policyText);
      } catch (IllegalArgumentException e) {
        throw new ApiException.InvalidValue(
            "invalid_value", "parameter 'deadline_policy' must be 'best-effort' or 'strict'");
      }
    }
    return new RoutingHeaders(
        millis(
            h.latencyTargetMillis(),
            parameters,
            "latency_target_ms",
            RoutingHeaders.LATENCY_TARGET),
        subnet,
        policy,
        millis(h.ttftTargetMillis(), parameters, "ttft_target_ms", RoutingHeaders.TTFT_TARGET),
        millis(h.tpotTargetMillis(), parameters, "tpot_target_ms", RoutingHeaders.TPOT_TARGET),
        millis(h.timeoutMillis(), parameters, "timeout_ms", RoutingHeaders.TIMEOUT));
  }

  private static OptionalDouble millis(
      OptionalDouble header, JsonNode parameters, String name, String headerName) {
    JsonNode v = parameters.get(name);
    if (v == null) {
      return header;
    }
    if (header.isPresent()) {
      throw conflict(headerName, name);
    }
    if (!v.isNumber()) {
      throw new ApiException.BadRequest(
          "wrong_type", "parameter '" + name + "' must be a number of milliseconds");
    }
    return RoutingHeaders.millis("parameter '" + name + "'", Double.toString(v.getDoubleValue()));
  }

  private static Optional<String> pick(
      Optional<String> header, Optional<String> parameter, String headerName, String name) {
    if (parameter.isEmpty()) {
      return header;
    }
    if (header.isPresent()) {
      throw conflict(headerName, name);
    }
    return parameter.map(String::strip).filter(s -> !s.isEmpty());
  }

  private static Optional<String> text(JsonNode parameters, String name) {
    JsonNode v = parameters.get(name);
    if (v != null && !v.isString()) {
      throw new ApiException.BadRequest("wrong_type", "parameter '" + name + "' must be a string");
    }
    return v == null ? Optional.empty() : Optional.of(v.getStringValue());
  }

  private static ApiException conflict(String header, String parameter) {
    return new ApiException.InvalidValue(
        "conflicting_headers",
        "the header " + header + " and the parameter '" + parameter + "' were both sent; send one");
  }
}
