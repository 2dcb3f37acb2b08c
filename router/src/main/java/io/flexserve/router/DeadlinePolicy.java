package io.flexserve.router;

import java.util.Locale;

/**
 * What to do when no sub-network is expected to meet a request's latency target. Clients choose it
 * with the {@code X-Deadline-Policy} header.
 */
public enum DeadlinePolicy {
  /** Run anyway on the fastest option and report that the target is expected to be missed. */
  BEST_EFFORT("best-effort"),
  /** Reject rather than answer late. */
  STRICT("strict");

  private final String headerValue;

  DeadlinePolicy(String headerValue) {
    this.headerValue = headerValue;
  }

  /** Returns the header spelling of this policy: {@code best-effort} or {@code strict}. */
  public String headerValue() {
    return headerValue;
  }

  /**
   * Parses a header value, ignoring case and surrounding whitespace.
   *
   * @param headerValue {@code best-effort} or {@code strict}; null or blank means the header was
   *     absent and gives {@link #BEST_EFFORT}
   * @return the policy
   * @throws IllegalArgumentException if the value is anything else
   */
  public static DeadlinePolicy parse(String headerValue) {
    if (headerValue == null || headerValue.isBlank()) {
      return BEST_EFFORT;
    }
    String wanted = headerValue.strip().toLowerCase(Locale.ROOT);
    for (DeadlinePolicy policy : values()) {
      if (policy.headerValue.equals(wanted)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "unknown deadline policy '" + headerValue + "'; expected best-effort or strict");
  }
}
