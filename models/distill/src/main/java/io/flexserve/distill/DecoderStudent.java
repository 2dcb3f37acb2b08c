package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The forward pass of one decoder sub-network in PyTorch (through DJL), for training. It reads
 * prefixes of the full tensors exactly as {@code DecoderGraph} does for ONNX Runtime (same keys,
 * same storage layout, rotate-half RoPE, grouped-query attention with query heads grouped by KV
 * group), so what is trained here is what the server runs; {@code StudentForwardTest} checks the
 * logits against the bundle's own graphs. The RoPE tables ({@code rope.cos}, {@code rope.sin}) are
 * the bundle's too, held here as constants.
 *
 * <p>Not thread-safe: one training thread drives it.
 *
 * <p>Tensors by key, as {@code DecoderWeightFile} stores them: {@code embed} and {@code lm_head}
 * {@code [V, H]} (one array when tied), {@code norm} {@code [H]}, per layer {@code l<i>.attn_norm},
 * {@code mlp_norm} {@code [H]}, {@code q}, {@code oT} {@code [A, H]}, {@code k}, {@code v} {@code
 * [Akv, H]}, {@code gate}, {@code up}, {@code downT} {@code [F, H]}.
 */
final class DecoderStudent {
  private final LlamaConfig config;
  private final float[] ropeCos; // [P, hd/2], the bundle's own table
  private final float[] ropeSin; // [P, hd/2]
  private final Map<Long, Constants> constants = new HashMap<>(); // by sequence length

  /**
   * The tensors that depend on the sequence length only, built once per length from Java arrays and
   * kept for the whole run (never created, freed and re-created inside a training step).
   *
   * @param cos RoPE cosines for positions 0..S-1, each half-table repeated for both halves of a
   *     head {@code [1, S, 1, hd]}
   * @param sin the same for the sines {@code [1, S, 1, hd]}
   * @param half R {@code [hd, hd]} with x·R = (−x2, x1) for x = (x1, x2)
   * @param causal 0 where query i may see key j ≤ i, a large negative number elsewhere, for the g
   *     heads of a group folded into the rows {@code [g·S, S]}
   */
  private record Constants(NDArray cos, NDArray sin, NDArray half, NDArray causal) {}

  DecoderStudent(LlamaConfig config, float[] ropeCos, float[] ropeSin) {
    this.config = config;
    this.ropeCos = ropeCos;
    this.ropeSin = ropeSin;
  }

  /** The shape each stored tensor is given, {@code null} for a key the decoder does not read. */
  Shape shapeOf(String key) {
    final long h = config.hidden();
    final long hd = config.headDim();
    final long a = (long) config.heads() * hd;
    final long akv = (long) config.kvHeads() * hd;
    final long f = config.intermediate();
    return switch (key) {
      case "embed", "lm_head" -> new Shape(config.vocabSize(), h);
      case "norm" -> new Shape(h);
      default -> {
        String tensor = key.substring(key.indexOf('.') + 1);
        yield switch (tensor) {
          case "attn_norm", "mlp_norm" -> new Shape(h);
          case "q", "oT" -> new Shape(a, h);
          case "k", "v" -> new Shape(akv, h);
          case "gate", "up", "downT" -> new Shape(f, h);
          default -> null;
        };
      }
    };
  }

  /**
   * Next-token logits of {@code subnet} for every position of {@code ids}, each sequence attending
   * causally from position 0.
   *
   * @param w tensors by key (student or teacher)
   * @param ids token ids {@code [B, S]}, int64
   * @return logits {@code [B, S, V]}
   */
  NDArray logits(Map<String, NDArray> w, DecoderSubnet subnet, NDArray ids) {
    final long b = ids.getShape().get(0);
    final long s = ids.getShape().get(1);
    final int h = config.hidden();
    final int hd = config.headDim();
    final int g = config.groupSize();
    final float eps = (float) config.rmsNormEps();

    Constants c = constants(ids.getManager(), (int) s);
    NDArray cos = c.cos(); // [1, S, 1, hd]
    NDArray sin = c.sin(); // [1, S, 1, hd]
    NDArray half = c.half(); // [hd, hd]
    NDArray causal = c.causal(); // [g·S, S]
    float scale = (float) (1.0 / Math.sqrt(hd));

    // The embedding as one-hot × table: a plain matmul on the autograd path, where DJL's advanced
    // indexing is not.
    NDArray x =
        ids.flatten()
            .oneHot(config.vocabSize())
            .matMul(w.get("embed"))
            .reshape(b, s, h); // [B, S, H]
    for (DecoderSubnet.Layer layer : subnet.layers()) {
      final String l = "l" + layer.index() + ".";
      final int groups = layer.kvGroups();
      final int heads = groups * g;
      final int f = layer.mlpWidth();

      // Attention over the first `groups` KV groups and their heads = groups·g query heads.
      NDArray n1 = rmsNorm(x, w.get(l + "attn_norm"), eps); // [B, S, H]
      NDArray q = n1.matMul(rows(w, l + "q", (long) heads * hd).transpose()); // [B, S, heads·hd]
      NDArray k = n1.matMul(rows(w, l + "k", (long) groups * hd).transpose()); // [B, S, G·hd]
      NDArray v = n1.matMul(rows(w, l + "v", (long) groups * hd).transpose()); // [B, S, G·hd]
      q = rotate(q.reshape(b, s, heads, hd), cos, sin, half); // [B, S, heads, hd]
      k = rotate(k.reshape(b, s, groups, hd), cos, sin, half); // [B, S, G, hd]
      // The g query heads of a group fold into the row axis, as in DecoderGraph: plain 4-D matmuls,
      // K and V never
      // repeated or broadcast.
      NDArray qRows =
          q.reshape(b, s, groups, g, hd)
              .transpose(0, 2, 3, 1, 4)
              .reshape(b, groups, g * s, hd); // [B, G, g·S, hd]
      NDArray kT = k.transpose(0, 2, 3, 1); // [B, G, hd, S]
      NDArray v4 = v.reshape(b, s, groups, hd).transpose(0, 2, 1, 3); // [B, G, S, hd]
      NDArray scores = OwnedArrays.times(qRows.matMul(kT), scale).add(causal); // [B, G, g·S, S]
      NDArray ctx =
          scores
              .softmax(-1)
              .matMul(v4) // [B, G, g·S, hd]
              .reshape(b, groups, g, s, hd)
              .transpose(0, 3, 1, 2, 4)
              .reshape(b, s, (long) heads * hd); // [B, S, heads·hd]
      x = x.add(ctx.matMul(rows(w, l + "oT", (long) heads * hd))); // [B, S, H]

      // SwiGLU MLP over the first f neurons: down(silu(gate(n)) · up(n)).
      NDArray n2 = rmsNorm(x, w.get(l + "mlp_norm"), eps); // [B, S, H]
      NDArray gate = n2.matMul(rows(w, l + "gate", f).transpose()); // [B, S, F]
      NDArray up = n2.matMul(rows(w, l + "up", f).transpose()); // [B, S, F]
      NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up); // [B, S, F]
      x = x.add(act.matMul(rows(w, l + "downT", f))); // [B, S, H]
    }
    return rmsNorm(x, w.get("norm"), eps).matMul(w.get("lm_head").transpose()); // [B, S, V]
  }

  /** The first {@code count} rows of a stored {@code [rows, H]} tensor. */
  private static NDArray rows(Map<String, NDArray> w, String key, long count) {
    NDArray t = w.get(key);
    return count == t.getShape().get(0) ? t : t.get(new NDIndex(":{}", count));
  }

  /** {@code x / sqrt(mean(x²) + eps) · weight} over the last axis. */
  static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
    return x.div(OwnedArrays.plus(x.square().mean(new int[] {-1}, true), eps).sqrt()).mul(weight);
  }

  /**
   * Rotate-half RoPE on {@code [B, S, heads, hd]}: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin),
   * written as {@code x·cos + (x·R)·sin} with R the fixed matrix mapping (x1, x2) to (−x2, x1): one
   * matmul instead of slices and a concatenation on the autograd path.
   */
  private static NDArray rotate(NDArray x, NDArray cos, NDArray sin, NDArray half) {
    return x.mul(cos).add(x.matMul(half).mul(sin));
  }

  /**
   * The constants of length {@code s}, built on first use (again when the manager that held them
   * was closed) and kept out of every step's scope.
   */
  private Constants constants(NDManager manager, int s) {
    Constants cached = constants.get((long) s);
    if (cached != null && !cached.cos().isReleased()) {
      return cached;
    }
    constants.put((long) s, build(manager, s));
    return constants.get((long) s);
  }

  private Constants build(NDManager manager, int s) {
    final int hd = config.headDim();
    final int half = hd / 2;
    final int g = config.groupSize();
    float[] cos = new float[s * hd];
    float[] sin = new float[s * hd];
    for (int p = 0; p < s; p++) {
      for (int i = 0; i < hd; i++) {
        cos[p * hd + i] = ropeCos[p * half + i % half];
        sin[p * hd + i] = ropeSin[p * half + i % half];
      }
    }
    float[] r = new float[hd * hd];
    for (int i = 0; i < half; i++) {
      r[(i + half) * hd + i] = -1f; // output i (first half) takes −x2[i]
      r[i * hd + i + half] = 1f; // output i + half (second half) takes x1[i]
    }
    float[] mask = new float[g * s * s];
    for (int row = 0; row < g * s; row++) {
      for (int j = row % s + 1; j < s; j++) {
        mask[row * s + j] = -1e9f;
      }
    }
    Constants c =
        new Constants(
            OwnedArrays.of(manager, cos, new Shape(1, s, 1, hd)),
            OwnedArrays.of(manager, sin, new Shape(1, s, 1, hd)),
            OwnedArrays.of(manager, r, new Shape(hd, hd)),
            OwnedArrays.of(manager, mask, new Shape((long) g * s, s)));
    NDScope.unregister(c.cos(), c.sin(), c.half(), c.causal());
    return c;
  }
}
