package io.flexserve.convert.llm;

import ai.onnxruntime.OrtException;
import io.flexserve.models.llm.AttentionBias;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.KvCache;

/**
 * Perplexity of a decoder on a token sequence: {@code exp(mean over t ≥ 1 of −log p(x_t | x_<t))},
 * from one forward pass over windows of at most {@code window} tokens (each window starts fresh;
 * the first token of each is context only). Log-softmax is computed in double precision.
 */
public final class Perplexity {
  private Perplexity() {}

  /**
   * Summed negative log-likelihood and the number of predicted tokens, so that several texts can be
   * pooled.
   */
  public record Nll(double sum, long tokens) {
    public Nll plus(Nll other) {
      return new Nll(sum + other.sum, tokens + other.tokens);
    }

    public double perplexity() {
      return Math.exp(sum / tokens);
    }
  }

  /** Perplexity pooled over {@code windows}, each one forward pass of its own length. */
  public static double ofWindows(DecoderSession session, java.util.List<long[]> windows)
      throws OrtException {
    Nll nll = new Nll(0, 0);
    for (long[] w : windows) {
      nll = nll.plus(nll(session, w, w.length));
    }
    return nll.perplexity();
  }

  public static Nll nll(DecoderSession session, long[] ids, int window) throws OrtException {
    int vocab = session.config().vocabSize();
    double sum = 0;
    long count = 0;
    for (int from = 0; from + 1 < ids.length; from += window) {
      int seq = Math.min(window, ids.length - from);
      long[] chunk = new long[seq];
      long[] positions = new long[seq];
      for (int i = 0; i < seq; i++) {
        chunk[i] = ids[from + i];
        positions[i] = i;
      }
      try (KvCache empty = session.emptyCache(1)) {
        DecoderSession.Step step =
            session.step(chunk, positions, AttentionBias.causal(0, seq), seq, empty, seq);
        step.cache().close();
        float[] logits = step.logits(); // [1, seq, V]
        for (int t = 0; t + 1 < seq; t++) {
          sum += logSumExp(logits, t * vocab, vocab) - logits[t * vocab + (int) chunk[t + 1]];
          count++;
        }
      }
    }
    return new Nll(sum, count);
  }

  private static double logSumExp(float[] values, int from, int count) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = from; i < from + count; i++) {
      max = Math.max(max, values[i]);
    }
    double sum = 0;
    for (int i = from; i < from + count; i++) {
      sum += Math.exp(values[i] - max);
    }
    return max + Math.log(sum);
  }
}
