package io.flexserve.server.security;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled at {@code ratePerSecond}; each
 * request takes one. Starts full, so a client may send {@code capacity} requests at once, then
 * {@code ratePerSecond} on average. Pure logic over an injected nanosecond clock; thread-safe.
 */
public final class TokenBucket {
  private final double capacity;
  private final double tokensPerNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  public TokenBucket(double ratePerSecond, int capacity, LongSupplier nanoClock) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond) || capacity < 1) {
      throw new IllegalArgumentException(
          "rate must be > 0 and capacity ≥ 1, got " + ratePerSecond + ", " + capacity);
    }
    this.capacity = capacity;
    this.tokensPerNano = ratePerSecond / 1e9;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.last = nanoClock.getAsLong();
  }

  /**
   * Takes a token if one is there.
   *
   * @return 0 when the request may go ahead; otherwise the nanoseconds until a token will be there
   *     (nothing taken)
   */
  public synchronized long tryAcquire() {
    long now = nanoClock.getAsLong();
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
      last = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
  }

  /**
   * Whole seconds to wait for {@code nanos}, rounded up, at least 1: a {@code Retry-After} value.
   */
  public static long retryAfterSeconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
