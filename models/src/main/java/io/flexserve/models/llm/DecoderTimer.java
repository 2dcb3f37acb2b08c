package io.flexserve.models.llm;

import ai.onnxruntime.OrtException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Measures a decoder sub-network's speed on synthetic tokens: the median time of one decode step
 * after a context of C cached tokens, and of a prefill of P tokens. Used at conversion (the menu's
 * latency table) and by benchmarks.
 */
public final class DecoderTimer {
  private DecoderTimer() {}

  /**
   * Median milliseconds of one decode step (batch 1) with {@code context} tokens already cached.
   */
  public static double decodeMillis(DecoderSession session, int context, int steps)
      throws OrtException {
    if (context < 1) {
      throw new IllegalArgumentException("decode needs a context of at least one token");
    }
    long[] ids = syntheticIds(session, context);
    KvCache cache = session.emptyCache(1);
    try {
      DecoderSession.Step step =
          session.step(
              ids, positions(0, context), AttentionBias.causal(0, context), context, cache, 1);
      cache.close();
      cache = step.cache();
      // Decoding always from the same cache keeps the context length fixed: every step costs the
      // same.
      int warmup = 3;
      double[] millis = new double[steps];
      for (int i = -warmup; i < steps; i++) {
        long t0 = System.nanoTime();
        DecoderSession.Step next =
            session.step(
                new long[] {ids[(i + warmup) % context]},
                new long[] {context},
                AttentionBias.causal(context, 1),
                1,
                cache,
                1);
        long t1 = System.nanoTime();
        next.cache().close();
        if (i >= 0) {
          millis[i] = (t1 - t0) / 1e6;
        }
      }
      return median(millis);
    } finally {
      cache.close();
    }
  }

  /**
   * Median milliseconds of a prefill of {@code tokens} tokens (batch 1), logits of the last
   * position only.
   */
  public static double prefillMillis(DecoderSession session, int tokens, int repeats)
      throws OrtException {
    long[] ids = syntheticIds(session, tokens);
    float[] bias = AttentionBias.causal(0, tokens);
    double[] millis = new double[repeats];
    for (int i = -1; i < repeats; i++) {
      try (KvCache empty = session.emptyCache(1)) {
        long t0 = System.nanoTime();
        DecoderSession.Step step = session.step(ids, positions(0, tokens), bias, tokens, empty, 1);
        long t1 = System.nanoTime();
        step.cache().close();
        if (i >= 0) {
          millis[i] = (t1 - t0) / 1e6;
        }
      }
    }
    return median(millis);
  }

  /**
   * Median milliseconds of one decode step of a batch of {@code rows} sequences, each behind {@code
   * context} cached tokens (continuous batching: what each extra row adds to a step).
   */
  public static double batchDecodeMillis(DecoderSession session, int rows, int context, int steps)
      throws OrtException {
    try (DecodeBatch batch = new DecodeBatch(session)) {
      Map<Long, Long> next = new HashMap<>();
      for (long id = 0; id < rows; id++) {
        long[] prompt = new long[context];
        for (int i = 0; i < context; i++) {
          prompt[i] = 3 + (id * 31 + i * 7) % (session.config().vocabSize() - 3);
        }
        batch.join(id, prompt);
        next.put(id, 3L);
      }
      double[] millis = new double[steps];
      for (int i = 0; i < millis.length; i++) {
        long t0 = System.nanoTime();
        batch.step(next);
        millis[i] = (System.nanoTime() - t0) / 1e6;
      }
      return median(millis);
    }
  }

  private static long[] syntheticIds(DecoderSession session, int count) {
    long[] ids = new long[count];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 3 + (i * 7919L) % (session.config().vocabSize() - 3);
    }
    return ids;
  }

  static long[] positions(int from, int count) {
    long[] p = new long[count];
    for (int i = 0; i < count; i++) {
      p[i] = from + i;
    }
    return p;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
