package io.flexserve.models.llm;

import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.llm.checkpoint.HfTensorNames;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.weights.RowMajor;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family decoder's weights in flexserve's storage layout (row-major float32).
 *
 * <p>Every tensor is stored so that pruning keeps a <em>prefix</em> of it. Projections whose
 * outputs are pruned (Q, K, V, gate, up) keep Hugging Face's {@code [out, in]} layout and run as
 * {@code Gemm(x, W, transB=1)}; projections whose inputs are pruned (O, down) are stored
 * transposed, {@code [in, out]}, and run as plain {@code Gemm}. Query-head rows are grouped by KV
 * group (group k owns query heads k·g … k·g+g−1, as in Hugging Face's {@code repeat_kv}).
 *
 * @param embed {@code [V, H]}
 * @param lmHead {@code [V, H]}, the same array as {@code embed} when embeddings are tied
 * @param norm final RMSNorm weight {@code [H]}
 */
public record DecoderWeights(
    LlamaConfig config, float[] embed, float[] lmHead, float[] norm, List<Layer> layers) {
  /**
   * One decoder block. A = heads·hd, Akv = kvHeads·hd, F = intermediate size.
   *
   * @param attnNorm {@code [H]}
   * @param q {@code [A, H]}
   * @param k {@code [Akv, H]}
   * @param v {@code [Akv, H]}
   * @param oT {@code [A, H]} (O projection transposed)
   * @param mlpNorm {@code [H]}
   * @param gate {@code [F, H]}
   * @param up {@code [F, H]}
   * @param downT {@code [F, H]} (down projection transposed)
   */
  public record Layer(
      float[] attnNorm,
      float[] q,
      float[] k,
      float[] v,
      float[] oT,
      float[] mlpNorm,
      float[] gate,
      float[] up,
      float[] downT) {}

  public DecoderWeights {
    layers = List.copyOf(layers);
  }

  /**
   * Reads a Hugging Face checkpoint; shapes are checked against its config (the exception names the
   * tensor).
   */
  public static DecoderWeights read(Checkpoint ckpt) throws CheckpointException {
    LlamaConfig c = ckpt.config();
    long h = c.hidden();
    long a = (long) c.heads() * c.headDim();
    long akv = (long) c.kvHeads() * c.headDim();
    long f = c.intermediate();
    float[] embed = ckpt.tensor(HfTensorNames.EMBED_TOKENS, c.vocabSize(), h);
    float[] lmHead =
        c.tiedEmbeddings() ? embed : ckpt.tensor(HfTensorNames.LM_HEAD, c.vocabSize(), h);
    List<Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      layers.add(
          new Layer(
              ckpt.tensor(HfTensorNames.inputNorm(l), h),
              ckpt.tensor(HfTensorNames.qProj(l), a, h),
              ckpt.tensor(HfTensorNames.kProj(l), akv, h),
              ckpt.tensor(HfTensorNames.vProj(l), akv, h),
              RowMajor.transpose(ckpt.tensor(HfTensorNames.oProj(l), h, a), (int) h, (int) a),
              ckpt.tensor(HfTensorNames.postAttentionNorm(l), h),
              ckpt.tensor(HfTensorNames.gateProj(l), f, h),
              ckpt.tensor(HfTensorNames.upProj(l), f, h),
              RowMajor.transpose(ckpt.tensor(HfTensorNames.downProj(l), h, f), (int) h, (int) f)));
    }
    return new DecoderWeights(c, embed, lmHead, ckpt.tensor(HfTensorNames.FINAL_NORM, h), layers);
  }

  /**
   * Reorders every layer's KV groups and MLP neurons so that the most important come first; the
   * function computed by the full model is unchanged (a permutation of heads and of neurons
   * commutes with the sums over them).
   *
   * @param groupOrder per layer, the KV groups in the order to store them
   * @param neuronOrder per layer, the MLP neurons in the order to store them
   */
  public DecoderWeights permute(int[][] groupOrder, int[][] neuronOrder) {
    int h = config.hidden();
    int hd = config.headDim();
    int g = config.groupSize();
    List<Layer> out = new ArrayList<>();
    for (int l = 0; l < layers.size(); l++) {
      Layer b = layers.get(l);
      int[] groups = groupOrder[l];
      int[] neurons = neuronOrder[l];
      out.add(
          new Layer(
              b.attnNorm(),
              RowMajor.permuteBlocks(b.q(), groups, g * hd * h),
              RowMajor.permuteBlocks(b.k(), groups, hd * h),
              RowMajor.permuteBlocks(b.v(), groups, hd * h),
              RowMajor.permuteBlocks(b.oT(), groups, g * hd * h),
              b.mlpNorm(),
              RowMajor.permuteBlocks(b.gate(), neurons, h),
              RowMajor.permuteBlocks(b.up(), neurons, h),
              RowMajor.permuteBlocks(b.downT(), neurons, h)));
    }
    return new DecoderWeights(config, embed, lmHead, norm, out);
  }
}
