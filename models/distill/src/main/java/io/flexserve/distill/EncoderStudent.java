package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.flexserve.models.encoder.EncoderConfig;
import io.flexserve.models.encoder.EncoderSubnet;
import java.util.Map;

/**
 * The forward pass of one BERT-family encoder sub-network in PyTorch (through DJL), for training:
 * the same computation as {@code EncoderGraph} (post-LayerNorm blocks over a prefix of the
 * importance-ordered heads and MLP neurons, exact GELU, mean pooling over real tokens, L2
 * normalisation), reading the same keys.
 *
 * <p>Tensors by key: {@code emb.word} {@code [V, H]}, {@code emb.pos} {@code [P, H]}, {@code
 * emb.type0}, {@code emb.norm.scale}, {@code emb.norm.bias} {@code [H]}; per layer {@code qT},
 * {@code kT}, {@code vT}, {@code o} {@code [A, H]} with biases {@code q}, {@code k}, {@code v}
 * {@code [A]} and {@code oBias} {@code [H]}; {@code upT}, {@code down} {@code [F, H]} with {@code
 * upBias} {@code [F]}, {@code downBias} {@code [H]}; and the LayerNorms {@code attnNormScale/Bias},
 * {@code outNormScale/Bias} {@code [H]}.
 */
final class EncoderStudent {
  private final EncoderConfig config;

  EncoderStudent(EncoderConfig config) {
    this.config = config;
  }

  /** The shape each stored tensor is given, {@code null} for a key the encoder does not read. */
  Shape shapeOf(String key) {
    final long h = config.hidden();
    final long f = config.intermediate();
    return switch (key) {
      case "emb.word" -> new Shape(config.vocabSize(), h);
      case "emb.pos" -> new Shape(config.maxPositions(), h);
      case "emb.type0", "emb.norm.scale", "emb.norm.bias" -> new Shape(h);
      default -> {
        String tensor = key.substring(key.indexOf('.') + 1);
        yield switch (tensor) {
          case "qT", "kT", "vT", "o" -> new Shape(h, h);
          case "q",
              "k",
              "v",
              "oBias",
              "downBias",
              "attnNormScale",
              "attnNormBias",
              "outNormScale",
              "outNormBias" ->
              new Shape(h);
          case "upT", "down" -> new Shape(f, h);
          case "upBias" -> new Shape(f);
          default -> null;
        };
      }
    };
  }

  /**
   * Sentence embeddings of {@code subnet}.
   *
   * @param ids token ids {@code [B, S]}, int64, padded
   * @param mask 1 for real tokens, 0 for padding, {@code [B, S]} float32
   * @return L2-normalised embeddings {@code [B, H]}
   */
  NDArray embed(Map<String, NDArray> w, EncoderSubnet subnet, NDArray ids, NDArray mask) {
    final long b = ids.getShape().get(0);
    final long s = ids.getShape().get(1);
    final int h = config.hidden();
    final int hd = config.headDim();
    final int heads = subnet.heads();
    final int a = heads * hd;
    final int f = subnet.mlpWidth();
    final float eps = config.layerNormEps();

    // Embeddings: word + position + token type 0, then LayerNorm.
    NDArray x =
        w.get("emb.word")
            .get(new NDIndex("{}", ids.flatten()))
            .reshape(b, s, h) // [B, S, H]
            .add(w.get("emb.pos").get(new NDIndex(":{}", s)))
            .add(w.get("emb.type0"));
    x = layerNorm(x, w.get("emb.norm.scale"), w.get("emb.norm.bias"), eps); // [B, S, H]
    NDArray keyBias =
        OwnedArrays.times(OwnedArrays.plus(mask, -1f), 1e9f).reshape(b, 1, 1, s); // [B, 1, 1, S]
    float scale = (float) (1.0 / Math.sqrt(hd));

    for (int layer : subnet.layers()) {
      final String l = "l" + layer + ".";
      // Self-attention over the first `heads` heads.
      NDArray q =
          linearT(x, w, l + "qT", l + "q", a)
              .reshape(b, s, heads, hd)
              .transpose(0, 2, 1, 3); // [B, heads, S, hd]
      NDArray k =
          linearT(x, w, l + "kT", l + "k", a)
              .reshape(b, s, heads, hd)
              .transpose(0, 2, 3, 1); // [B, heads, hd, S]
      NDArray v =
          linearT(x, w, l + "vT", l + "v", a)
              .reshape(b, s, heads, hd)
              .transpose(0, 2, 1, 3); // [B, heads, S, hd]
      NDArray ctx =
          OwnedArrays.times(q.matMul(k), scale)
              .add(keyBias)
              .softmax(-1)
              .matMul(v) // [B, heads, S, hd]
              .transpose(0, 2, 1, 3)
              .reshape(b, s, a); // [B, S, A]
      NDArray attn = ctx.matMul(rows(w, l + "o", a)).add(w.get(l + "oBias")); // [B, S, H]
      x =
          layerNorm(
              attn.add(x), w.get(l + "attnNormScale"), w.get(l + "attnNormBias"), eps); // [B, S, H]

      // MLP over the first f neurons with exact (erf) GELU.
      NDArray act = Activation.gelu(linearT(x, w, l + "upT", l + "upBias", f)); // [B, S, F]
      NDArray down = act.matMul(rows(w, l + "down", f)).add(w.get(l + "downBias")); // [B, S, H]
      x =
          layerNorm(
              down.add(x), w.get(l + "outNormScale"), w.get(l + "outNormBias"), eps); // [B, S, H]
    }

    // Mean pooling over real tokens, then L2 normalisation.
    NDArray m = mask.expandDims(2); // [B, S, 1]
    NDArray pooled =
        x.mul(m).sum(new int[] {1}).div(OwnedArrays.atLeast(m.sum(new int[] {1}), 1e-9f)); // [B, H]
    return pooled.div(
        OwnedArrays.atLeast(pooled.square().sum(new int[] {-1}, true).sqrt(), 1e-12f)); // [B, H]
  }

  /** {@code x · W[:rows]ᵀ + bias[:rows]} for a weight stored {@code [out, in]}. */
  private static NDArray linearT(
      NDArray x, Map<String, NDArray> w, String weight, String bias, long rows) {
    NDArray b = w.get(bias);
    return x.matMul(rows(w, weight, rows).transpose())
        .add(rows == b.getShape().get(0) ? b : b.get(new NDIndex(":{}", rows)));
  }

  private static NDArray rows(Map<String, NDArray> w, String key, long count) {
    NDArray t = w.get(key);
    return count == t.getShape().get(0) ? t : t.get(new NDIndex(":{}", count));
  }

  private static NDArray layerNorm(NDArray x, NDArray scale, NDArray bias, float eps) {
    NDArray centred = x.sub(x.mean(new int[] {-1}, true));
    return centred
        .div(OwnedArrays.plus(centred.square().mean(new int[] {-1}, true), eps).sqrt())
        .mul(scale)
        .add(bias);
  }
}
