package io.flexserve.server.generation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flexserve.models.llm.KvCache;
import java.util.Arrays;

/**
 * KV caches of prompt prefixes, so a prompt that starts like an earlier one (a shared system
 * prompt, a few-shot preamble) prefills only its new tail. Entries are batch-1 copies keyed by
 * sub-network and the exact prefix tokens. A prompt stores its longest whole-{@value #BLOCK}-token
 * prefix (which covers a shared preamble followed by a short question) and the prefixes of 32, 64,
 * 128, … tokens below it (which cover longer tails), so copies cost at most about twice the
 * prompt's own cache; lookups try every {@value #BLOCK}-token boundary, longest first. The cache is
 * bounded by the bytes those copies hold (Caffeine, weighted, least-recently/frequently used out
 * first) and closes what it evicts.
 *
 * <p>Only the scheduler thread uses it, and Caffeine's maintenance runs on the calling thread, so
 * an entry is never closed while a join reads it.
 */
final class PrefixCache implements AutoCloseable {
  /** Prefix lengths stored and looked up: multiples of this many tokens. */
  static final int BLOCK = 32;

  private final Cache<Key, KvCache> cache;
  private final long maxBytes;

  /** What is cached: a sub-network's cache of exactly these tokens. */
  private record Key(String subnet, long[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.subnet.equals(subnet) && Arrays.equals(k.tokens, tokens);
    }

    @Override
    public int hashCode() {
      return subnet.hashCode() * 31 + Arrays.hashCode(tokens);
    }
  }

  /**
   * @param maxBytes bound on the cached copies; 0 disables the cache
   * @param bytesPerToken KV bytes one token occupies in the largest sub-network (a bound for the
   *     others)
   */
  PrefixCache(long maxBytes, long bytesPerToken) {
    this.maxBytes = maxBytes;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(
                (Key k, KvCache v) ->
                    (int) Math.min(Integer.MAX_VALUE, k.tokens.length * bytesPerToken))
            .executor(Runnable::run)
            .removalListener(
                (Key k, KvCache v, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                  if (v != null) {
                    try {
                      v.close();
                    } catch (Exception e) {
                      // freeing native memory of an evicted entry failed: nothing else holds it,
                      // nothing to do
                    }
                  }
                })
            .build();
  }

  /**
   * The longest cached prefix of {@code prompt} on {@code subnet} that leaves at least one token to
   * run.
   */
  KvCache longest(String subnet, long[] prompt) {
    for (int k = (prompt.length - 1) / BLOCK * BLOCK; k >= BLOCK; k -= BLOCK) {
      KvCache hit = cache.getIfPresent(new Key(subnet, Arrays.copyOf(prompt, k)));
      if (hit != null) {
        return hit;
      }
    }
    return null;
  }

  /**
   * Prefix lengths of {@code prompt} to store, longer than the {@code cached} tokens it started
   * from.
   */
  static java.util.List<Integer> boundaries(long[] prompt, int cached) {
    java.util.List<Integer> out = new java.util.ArrayList<>();
    int top = (prompt.length - 1) / BLOCK * BLOCK;
    if (top > cached && top >= BLOCK) {
      out.add(top);
    }
    for (int k = BLOCK; k < top; k *= 2) {
      if (k > cached) {
        out.add(k);
      }
    }
    return out;
  }

  boolean contains(String subnet, long[] prompt, int tokens) {
    return cache.getIfPresent(new Key(subnet, Arrays.copyOf(prompt, tokens))) != null;
  }

  void put(String subnet, long[] prompt, int tokens, KvCache snapshot) {
    cache.put(new Key(subnet, Arrays.copyOf(prompt, tokens)), snapshot);
  }

  boolean enabled() {
    return maxBytes > 0;
  }

  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
  }
}
