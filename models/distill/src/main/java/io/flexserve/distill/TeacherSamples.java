package io.flexserve.distill;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.flexserve.models.llm.DecoderSubnet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training text for a decoder that comes without any: stories sampled from the teacher itself
 * (temperature 1, from BOS), so that any checkpoint can be distilled without a data set. Sequences
 * are sampled in batches of {@value #BATCH}, each step re-running the prefix (no KV cache: a few
 * thousand short windows on a small model).
 */
final class TeacherSamples {
  private static final int BATCH = 32;

  private final DecoderStudent forward;
  private final DecoderSubnet full;
  private final Map<String, float[]> values;

  TeacherSamples(DecoderStudent forward, DecoderSubnet full, Map<String, float[]> values) {
    this.forward = forward;
    this.full = full;
    this.values = values;
  }

  /**
   * {@code count} windows of {@code window} tokens, each starting with {@code bos}; the same for
   * the same seed.
   */
  List<long[]> generate(long bos, int count, int window, long seed) {
    Random random = new Random(seed);
    List<long[]> out = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      Map<String, NDArray> w = new HashMap<>();
      values.forEach((k, v) -> w.put(k, OwnedArrays.of(manager, v, forward.shapeOf(k))));
      while (out.size() < count) {
        int rows = Math.min(BATCH, count - out.size());
        long[][] seqs = new long[rows][window];
        for (long[] s : seqs) {
          s[0] = bos;
        }
        for (int t = 1; t < window; t++) {
          try (NDScope scope =
              new NDScope()) { // closes every array the step creates, whichever manager owns it
            long[] prefix = new long[rows * t];
            for (int r = 0; r < rows; r++) {
              System.arraycopy(seqs[r], 0, prefix, r * t, t);
            }
            NDArray ids = OwnedArrays.of(manager, prefix, new Shape(rows, t));
            NDArray last =
                forward.logits(w, full, ids).get(new NDIndex(":, -1, :")).softmax(-1); // [rows, V]
            float[] p = last.toFloatArray();
            int v = (int) last.getShape().get(1);
            for (int r = 0; r < rows; r++) {
              seqs[r][t] = sample(p, r * v, v, random);
            }
          }
        }
        out.addAll(List.of(seqs));
      }
    }
    return out;
  }

  private static int sample(float[] p, int from, int count, Random random) {
    double u = random.nextDouble();
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += p[from + i];
      if (u < sum) {
        return i;
      }
    }
    return count - 1;
  }
}
