package io.flexserve.models.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.llm.GreedyDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
  static final int VOCAB = 512;

  static float[] randomLogits(long seed, int offset) {
    Random r = new Random(seed);
    float[] l = new float[offset + VOCAB + 3];
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) (r.nextGaussian() * 3);
    }
    return l;
  }

  static List<Integer> draws(Sampler.Params params, float[] logits, int offset, int n) {
    Sampler s = new Sampler(params);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(s.next(logits, offset, VOCAB));
    }
    return out;
  }

  @Test
  void sameSeedGivesTheSameSequence() {
    float[] logits = randomLogits(1, 7);
    for (Sampler.Params p :
        List.of(
            new Sampler.Params(1, 1, 0, 42L),
            new Sampler.Params(0.8, 0.9, 40, 42L),
            new Sampler.Params(1.3, 0.95, 0, 42L))) {
      List<Integer> first = draws(p, logits, 7, 300);
      assertEquals(first, draws(p, logits, 7, 300));
      assertNotEquals(
          first,
          draws(new Sampler.Params(p.temperature(), p.topP(), p.topK(), 43L), logits, 7, 300));
      assertTrue(first.stream().distinct().count() > 5, "samples, not a constant");
    }
  }

  @Test
  void temperatureZeroIsArgmaxWithTiesToTheLowestId() {
    float[] logits = randomLogits(2, 5);
    int best = Sampler.argMax(logits, 5, VOCAB);
    assertEquals(List.of(best, best, best), draws(Sampler.Params.greedy(), logits, 5, 3));
    assertEquals(GreedyDecoder.argMax(logits, 5, VOCAB), best);
    float[] tied = new float[VOCAB];
    tied[9] = 4;
    tied[300] = 4;
    tied[17] = 4;
    assertEquals(9, new Sampler(new Sampler.Params(0, 0.5, 7, null)).next(tied, 0, VOCAB));
    assertEquals(9, new Sampler(new Sampler.Params(5, 1, 1, 3L)).next(tied, 0, VOCAB));
  }

  @Test
  void topKOneIsArgmaxAtAnyTemperature() {
    float[] logits = randomLogits(3, 0);
    int best = Sampler.argMax(logits, 0, VOCAB);
    for (double t : new double[] {0.1, 1, 2, 100}) {
      assertTrue(
          draws(new Sampler.Params(t, 1, 1, 5L), logits, 0, 500).stream().allMatch(x -> x == best));
    }
  }

  @Test
  void tinyTopPIsArgmax() {
    float[] logits = randomLogits(4, 3);
    int best = Sampler.argMax(logits, 3, VOCAB);
    for (double p : new double[] {0, 1e-9, 1e-3}) {
      for (double t : new double[] {0.5, 1, 2}) {
        assertTrue(
            draws(new Sampler.Params(t, p, 0, 6L), logits, 3, 500).stream()
                .allMatch(x -> x == best));
      }
    }
  }

  @Test
  void frequenciesMatchTheTruncatedSoftmax() {
    float[] logits = {1f, 2f, 0.5f, -1f};
    double[] e = new double[4];
    double sum = 0;
    for (int i = 0; i < 4; i++) {
      e[i] = Math.exp(logits[i]);
      sum += e[i];
    }
    double[] softmax = new double[4];
    for (int i = 0; i < 4; i++) {
      softmax[i] = e[i] / sum; // ≈ 0.224, 0.610, 0.136, 0.030
    }
    assertFrequencies(new Sampler.Params(1, 1, 0, 11L), logits, softmax);
    // Temperature 0.5 squares the odds.
    double[] sharp = new double[4];
    double sharpSum = 0;
    for (int i = 0; i < 4; i++) {
      sharp[i] = e[i] * e[i];
      sharpSum += sharp[i];
    }
    for (int i = 0; i < 4; i++) {
      sharp[i] /= sharpSum;
    }
    assertFrequencies(new Sampler.Params(0.5, 1, 0, 12L), logits, sharp);
    // Top-k 3 drops token 3 and renormalizes.
    double k3 = e[0] + e[1] + e[2];
    assertFrequencies(
        new Sampler.Params(1, 1, 3, 13L),
        logits,
        new double[] {e[0] / k3, e[1] / k3, e[2] / k3, 0});
    // Top-p 0.8: 0.610 alone is short of it, 0.610 + 0.224 reaches it, so tokens 1 and 0 remain.
    double p2 = e[0] + e[1];
    assertFrequencies(
        new Sampler.Params(1, 0.8, 0, 14L), logits, new double[] {e[0] / p2, e[1] / p2, 0, 0});
    // Top-k 3, then top-p 0.85 of the renormalized three (0.231, 0.628, 0.141): again tokens 1 and
    // 0 only.
    assertFrequencies(
        new Sampler.Params(1, 0.85, 3, 15L), logits, new double[] {e[0] / p2, e[1] / p2, 0, 0});
  }

  static void assertFrequencies(Sampler.Params params, float[] logits, double[] expected) {
    Sampler s = new Sampler(params);
    int n = 20_000;
    int[] counts = new int[4];
    for (int i = 0; i < n; i++) {
      counts[s.next(logits, 0, 4)]++;
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], counts[i] / (double) n, 0.02, params + " token " + i);
      if (expected[i] == 0) {
        assertEquals(0, counts[i], params + " token " + i + " is outside the kept set");
      }
    }
  }

  @Test
  void logprobsAreALogSoftmax() {
    float[] logits = randomLogits(5, 9);
    double total = 0;
    for (int t = 0; t < VOCAB; t++) {
      double lp = Sampler.logprob(logits, 9, VOCAB, t);
      assertTrue(lp <= 0);
      total += Math.exp(lp);
    }
    assertEquals(1, total, 1e-9);
    assertEquals(Math.log(0.5), Sampler.logprob(new float[] {3, 3}, 0, 2, 1), 1e-12);

    List<Map.Entry<Integer, Double>> top = Sampler.topLogprobs(logits, 9, VOCAB, 5);
    assertEquals(5, top.size());
    assertEquals(Sampler.argMax(logits, 9, VOCAB), top.get(0).getKey());
    for (int i = 0; i < top.size(); i++) {
      assertEquals(
          Sampler.logprob(logits, 9, VOCAB, top.get(i).getKey()), top.get(i).getValue(), 1e-12);
      if (i > 0) {
        assertTrue(top.get(i).getValue() <= top.get(i - 1).getValue());
      }
    }
    float[] tied = {1, 5, 5, 0, 5};
    assertEquals(
        List.of(1, 2, 4),
        Sampler.topLogprobs(tied, 0, 5, 3).stream().map(Map.Entry::getKey).toList());
    assertEquals(5, Sampler.topLogprobs(tied, 0, 5, 20).size());
    assertEquals(0, Sampler.topLogprobs(tied, 0, 5, 0).size());
  }

  @Test
  void rejectsInvalidParameters() {
    assertThrows(IllegalArgumentException.class, () -> new Sampler.Params(-0.1, 1, 0, null));
    assertThrows(IllegalArgumentException.class, () -> new Sampler.Params(Double.NaN, 1, 0, null));
    assertThrows(IllegalArgumentException.class, () -> new Sampler.Params(1, 1.5, 0, null));
    assertThrows(IllegalArgumentException.class, () -> new Sampler.Params(1, 1, -1, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Sampler(Sampler.Params.defaults()).next(new float[3], 1, 3));
  }
}
