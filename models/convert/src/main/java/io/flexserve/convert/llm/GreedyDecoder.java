package io.flexserve.convert.llm;

import ai.onnxruntime.OrtException;
import io.flexserve.models.llm.AttentionBias;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.KvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Greedy generation for one sequence: prefill the prompt, then feed back the arg-max token until
 * {@code maxTokens} or an end-of-sequence token. The reference decoding path: exact tests and
 * {@code flexserve generate} use it.
 */
public final class GreedyDecoder {
  private GreedyDecoder() {}

  /**
   * What a generation produced: the new tokens, and the logits of the last prompt position {@code
   * [V]}.
   */
  public record Output(List<Integer> tokens, float[] promptLastLogits) {}

  public static Output generate(
      DecoderSession session, long[] prompt, int maxTokens, Set<Integer> stop) throws OrtException {
    int vocab = session.config().vocabSize();
    long[] positions = new long[prompt.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
    }
    List<Integer> out = new ArrayList<>();
    KvCache cache = session.emptyCache(1);
    try {
      DecoderSession.Step step =
          session.step(
              prompt, positions, AttentionBias.causal(0, prompt.length), prompt.length, cache, 1);
      cache.close();
      cache = step.cache();
      float[] promptLast = step.logits();
      float[] logits = promptLast;
      while (out.size() < maxTokens) {
        int next = argMax(logits, 0, vocab);
        out.add(next);
        if (stop.contains(next) || out.size() == maxTokens) {
          break;
        }
        int position = cache.length();
        step =
            session.step(
                new long[] {next},
                new long[] {position},
                AttentionBias.causal(position, 1),
                1,
                cache,
                1);
        cache.close();
        cache = step.cache();
        logits = step.logits();
      }
      return new Output(out, promptLast);
    } finally {
      cache.close();
    }
  }

  public static int argMax(float[] values, int from, int count) {
    int best = from;
    for (int i = from + 1; i < from + count; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best - from;
  }
}
