package io.flexserve.convert.compress;

import io.flexserve.models.weights.BlockQuantizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How to compress every linear layer of a model and compensate the error.
 *
 * @param quantization weight format after pruning
 * @param blockSize quantization block along the input dimension (16, 32, 64 or 128); ignored
 *     without quantization
 * @param pruning 2:4 sparsity, or none
 * @param maskFile the MaskLLM {@code .npz} when {@code pruning} is {@link Pruning#MASK}, else null
 * @param compensation how the low-rank paths are fitted
 * @param rank stored rank R of every layer's factors (0: none)
 * @param servedRanks ranks that get a graph of their own, ascending, each in 1..R, R included;
 *     empty when R = 0
 */
public record CompressionPlan(
    Quantization quantization,
    int blockSize,
    Pruning pruning,
    Path maskFile,
    Compensation compensation,
    int rank,
    List<Integer> servedRanks) {
  /** Weight formats. */
  public enum Quantization {
    NONE(32),
    INT8(8),
    INT4(4);

    /** Bits per stored weight. */
    public final int bits;

    Quantization(int bits) {
      this.bits = bits;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** 2:4 pruning methods. */
  public enum Pruning {
    NONE,
    MAGNITUDE,
    WANDA,
    MASK;

    public String label() {
      return this == NONE ? "none" : "2:4-" + name().toLowerCase(Locale.ROOT);
    }
  }

  /** Fits of the low-rank paths: activation-aware EoRA, or plain SVD of ΔW (the ablation). */
  public enum Compensation {
    EORA,
    SVD;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public CompressionPlan {
    servedRanks = List.copyOf(servedRanks);
    if (quantization != Quantization.NONE
        && (blockSize < 16 || blockSize > 128 || Integer.bitCount(blockSize) != 1)) {
      throw new IllegalArgumentException(
          "quantization block size must be 16, 32, 64 or 128, got " + blockSize);
    }
    if ((pruning == Pruning.MASK) != (maskFile != null)) {
      throw new IllegalArgumentException("a mask file goes with pruning MASK and only with it");
    }
    if (rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0, got " + rank);
    }
    if (rank > 0 && quantization == Quantization.NONE && pruning == Pruning.NONE) {
      throw new IllegalArgumentException(
          "compensation rank " + rank + " without compression: there is no error to compensate");
    }
    for (int i = 0; i < servedRanks.size(); i++) {
      int r = servedRanks.get(i);
      if (r < 1 || r > rank || (i > 0 && r <= servedRanks.get(i - 1))) {
        throw new IllegalArgumentException(
            "served ranks must ascend within 1.." + rank + ": " + servedRanks);
      }
    }
    if (rank > 0 && (servedRanks.isEmpty() || servedRanks.get(servedRanks.size() - 1) != rank)) {
      throw new IllegalArgumentException(
          "served ranks must include the stored rank " + rank + ": " + servedRanks);
    }
  }

  /** Powers of two from 4 below {@code rank}, then {@code rank} itself: 16 → [4, 8, 16]. */
  public static List<Integer> defaultServedRanks(int rank) {
    java.util.ArrayList<Integer> ranks = new java.util.ArrayList<>();
    for (int r = 4; r < rank; r *= 2) {
      ranks.add(r);
    }
    if (rank > 0) {
      ranks.add(rank);
    }
    return ranks;
  }

  /** Whether the weights change at all. */
  public boolean compresses() {
    return quantization != Quantization.NONE || pruning != Pruning.NONE;
  }

  /** One layer {@code [out, in]} with its (possibly null) 2:4 keep-mask applied. */
  public static float[] prune(float[] w, boolean[] keep) {
    return keep == null ? w.clone() : SemiStructuredPruner.apply(w, keep);
  }

  /** Whether the weights are stored in fewer bits (then they are served by MatMulNBits). */
  public boolean quantizes() {
    return quantization != Quantization.NONE;
  }

  /**
   * The compressed W_c of one layer {@code [out, in]} as the float values it stands for: its
   * (possibly null) 2:4 keep-mask applied, then quantized in blocks along its input as stored here.
   */
  public float[] compress(float[] w, int out, int in, boolean[] keep) {
    float[] pruned = prune(w, keep);
    return quantizes() ? quantize(pruned, out, in).dequantize() : pruned;
  }

  /** One layer {@code [out, in]} in this plan's block format; only when {@link #quantizes()}. */
  public BlockQuantizer.Packed quantize(float[] w, int out, int in) {
    if (!quantizes()) {
      throw new IllegalStateException("plan " + describe() + " does not quantize");
    }
    return BlockQuantizer.quantize(w, out, in, quantization.bits, blockSize);
  }

  /**
   * Bytes of one layer {@code [out, in]} in this format: int8 or int4 in MatMulNBits layout (codes,
   * a float scale and a zero point per block); 2:4 halves the values and adds 2 bits of index per
   * kept value (the sparse-tensor-core layout); float32 when nothing applies.
   */
  public long packedBytes(int out, int in) {
    long values = (long) out * in;
    long index = 0;
    if (pruning != Pruning.NONE) {
      values /= 2;
      index = values / 4; // 2 bits per kept value
    }
    if (!quantizes()) {
      return 4 * values + index;
    }
    long kBlocks = (in + blockSize - 1) / blockSize;
    long blocks = out * kBlocks;
    long zeroPoints = (long) out * BlockQuantizer.zeroPointRow(quantization.bits, (int) kBlocks);
    return values * quantization.bits / 8 + 4 * blocks + zeroPoints + index;
  }

  /** A one-line description, e.g. {@code int4 g32 + 2:4-wanda, eora r16}. */
  public String describe() {
    String q = quantization.label() + " g" + blockSize;
    String p =
        pruning == Pruning.NONE
            ? ""
            : (quantization == Quantization.NONE ? "" : " + ") + pruning.label();
    String weights =
        quantization == Quantization.NONE && pruning == Pruning.NONE
            ? "dense"
            : (quantization == Quantization.NONE ? "" : q) + p;
    return rank == 0 ? weights : weights + ", " + compensation.label() + " r" + rank;
  }
}
