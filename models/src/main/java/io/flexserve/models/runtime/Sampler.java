package io.flexserve.models.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits with OpenAI's sampling parameters: temperature 0 is greedy
 * (arg-max, ties to the lowest id); otherwise the logits are divided by the temperature and
 * soft-maxed (in double), the top-k most likely tokens kept (0 keeps all), then the nucleus: the
 * smallest set of the most likely remaining tokens whose renormalized probability reaches top-p (at
 * least one token), and one token is drawn from it. Ties in likelihood order by id.
 *
 * <p>Also reports log-probabilities the way OpenAI's {@code logprobs} do: the log-softmax of the
 * raw logits (temperature 1, before top-k/top-p).
 *
 * <p>A sampler owns its random stream (seeded from {@link Params#seed}, or randomly when none): one
 * per request, used by one thread at a time. The same seed and logits give the same tokens.
 */
public final class Sampler {
  /**
   * @param temperature 0 (greedy) or more; OpenAI allows up to 2, larger values are accepted
   * @param topP nucleus mass in [0, 1]; 1 disables it, 0 keeps only the most likely token
   * @param topK tokens kept before the nucleus; 0 keeps all
   * @param seed random seed, or null for a random one
   */
  public record Params(double temperature, double topP, int topK, Long seed) {
    public Params {
      if (!(temperature >= 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException(
            "temperature must be a finite number >= 0, not " + temperature);
      }
      if (!(topP >= 0 && topP <= 1)) {
        throw new IllegalArgumentException("top_p must be in [0, 1], not " + topP);
      }
      if (topK < 0) {
        throw new IllegalArgumentException("top_k must be >= 0, not " + topK);
      }
    }

    /** Greedy decoding. */
    public static Params greedy() {
      return new Params(0, 1, 0, null);
    }

    /** OpenAI's defaults: temperature 1, top_p 1, no top-k, no seed. */
    public static Params defaults() {
      return new Params(1, 1, 0, null);
    }
  }

  private final Params params;
  private final SplittableRandom random;

  public Sampler(Params params) {
    this.params = params;
    this.random =
        params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
  }

  public Params params() {
    return params;
  }

  /** The next token: an id in {@code [0, vocab)} from {@code logits[offset, offset + vocab)}. */
  public int next(float[] logits, int offset, int vocab) {
    checkRange(logits, offset, vocab);
    if (params.temperature() == 0 || params.topK() == 1) {
      return argMax(logits, offset, vocab);
    }
    // Unnormalized probabilities exp((l - max) / T), in double.
    double invT = 1.0 / params.temperature();
    double max = logits[offset + argMax(logits, offset, vocab)];
    double[] p = new double[vocab];
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      p[i] = Math.exp((logits[offset + i] - max) * invT);
      total += p[i];
    }
    boolean topK = params.topK() > 0 && params.topK() < vocab;
    boolean topP = params.topP() < 1;
    if (!topK && !topP) {
      return draw(p, null, vocab, total);
    }
    int[] candidates = topK ? mostLikely(p, params.topK()) : nucleusCandidates(p, total);
    sortByLikelihood(candidates, p);
    int kept = candidates.length;
    if (topP) {
      double mass = total; // without top-k the nucleus is taken over the whole distribution
      if (topK) {
        mass = 0; // after top-k, over the renormalized k tokens
        for (int c : candidates) {
          mass += p[c];
        }
      }
      double target = params.topP() * mass;
      double cumulative = 0;
      kept = 0;
      while (kept < candidates.length) {
        cumulative += p[candidates[kept++]];
        if (cumulative >= target) {
          break;
        }
      }
    }
    double keptMass = 0;
    for (int i = 0; i < kept; i++) {
      keptMass += p[candidates[i]];
    }
    return draw(p, candidates, kept, keptMass);
  }

  /** log-softmax of the raw logits at {@code token}: OpenAI's {@code logprob}. */
  public static double logprob(float[] logits, int offset, int vocab, int token) {
    checkRange(logits, offset, vocab);
    if (token < 0 || token >= vocab) {
      throw new IllegalArgumentException("token " + token + " outside vocabulary of " + vocab);
    }
    return logits[offset + token] - logSumExp(logits, offset, vocab);
  }

  /**
   * The k most likely tokens (ties to the lower id), most likely first, with their
   * log-probabilities.
   */
  public static List<Map.Entry<Integer, Double>> topLogprobs(
      float[] logits, int offset, int vocab, int k) {
    checkRange(logits, offset, vocab);
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, not " + k);
    }
    double norm = logSumExp(logits, offset, vocab);
    double[] l = new double[vocab];
    for (int i = 0; i < vocab; i++) {
      l[i] = logits[offset + i];
    }
    int[] top = mostLikely(l, Math.min(k, vocab));
    sortByLikelihood(top, l);
    List<Map.Entry<Integer, Double>> out = new ArrayList<>(top.length);
    for (int t : top) {
      out.add(Map.entry(t, l[t] - norm));
    }
    return out;
  }

  /**
   * Arg-max of {@code values[from, from + count)} relative to {@code from}; ties to the lowest
   * index.
   */
  public static int argMax(float[] values, int from, int count) {
    int best = from;
    for (int i = from + 1; i < from + count; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best - from;
  }

  /**
   * Draws among the first {@code count} of {@code ids} (or tokens 0 … count-1 when null) by weight
   * {@code p}.
   */
  private int draw(double[] p, int[] ids, int count, double mass) {
    double u = random.nextDouble() * mass;
    double cumulative = 0;
    for (int i = 0; i < count; i++) {
      int id = ids == null ? i : ids[i];
      cumulative += p[id];
      if (u < cumulative) {
        return id;
      }
    }
    // Rounding left u at the very top: the last token with any weight.
    for (int i = count - 1; i > 0; i--) {
      int id = ids == null ? i : ids[i];
      if (p[id] > 0) {
        return id;
      }
    }
    return ids == null ? 0 : ids[0];
  }

  /**
   * Tokens that may belong to the nucleus: a token with weight below (1 − p)·total / V cannot,
   * since all such tokens together weigh less than (1 − p)·total, so the heavier ones alone already
   * reach p. Exact, and it keeps the sort small for peaked distributions.
   */
  private int[] nucleusCandidates(double[] p, double total) {
    double threshold = (1 - params.topP()) * total / p.length;
    int n = 0;
    int[] ids = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      if (p[i] >= threshold) {
        ids[n++] = i;
      }
    }
    return Arrays.copyOf(ids, n);
  }

  /** The k largest of {@code values} (ties to the lower index), unordered. */
  private static int[] mostLikely(double[] values, int k) {
    if (k >= values.length) {
      int[] all = new int[values.length];
      Arrays.setAll(all, i -> i);
      return all;
    }
    Comparator<Integer> worstFirst =
        (a, b) ->
            values[a] != values[b] ? Double.compare(values[a], values[b]) : Integer.compare(b, a);
    PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, worstFirst);
    for (int i = 0; i < values.length; i++) {
      if (heap.size() < k) {
        heap.add(i);
      } else if (k > 0 && worstFirst.compare(i, heap.peek()) > 0) {
        heap.poll();
        heap.add(i);
      }
    }
    return heap.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Sorts {@code ids} by descending {@code values}, ties by ascending id. */
  private static void sortByLikelihood(int[] ids, double[] values) {
    Integer[] boxed = Arrays.stream(ids).boxed().toArray(Integer[]::new);
    Arrays.sort(
        boxed,
        (a, b) ->
            values[a] != values[b] ? Double.compare(values[b], values[a]) : Integer.compare(a, b));
    for (int i = 0; i < ids.length; i++) {
      ids[i] = boxed[i];
    }
  }

  private static double logSumExp(float[] logits, int offset, int vocab) {
    double max = logits[offset + argMax(logits, offset, vocab)];
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    return max + Math.log(sum);
  }

  private static void checkRange(float[] logits, int offset, int vocab) {
    if (vocab <= 0 || offset < 0 || offset + vocab > logits.length) {
      throw new IllegalArgumentException(
          "logits [" + offset + ", " + offset + vocab + ") outside an array of " + logits.length);
    }
  }
}
