package io.flexserve.models.compress;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How to compress every linear layer of a model and compensate the error.
 *
 * @param quantization weight format after pruning
 * @param blockSize int4 block along the input dimension (16, 32, 64 or 128); ignored otherwise
 * @param pruning 2:4 sparsity, or none
 * @param maskFile the MaskLLM {@code .npz} when {@code pruning} is {@link Pruning#MASK}, else null
 * @param compensation how the low-rank paths are fitted
 * @param rank stored rank R of every layer's factors (0: none)
 * @param servedRanks ranks that get a graph of their own, ascending, each in 1..R, R included; empty when R = 0
 */
public record CompressionPlan(Quantization quantization, int blockSize, Pruning pruning, Path maskFile,
                              Compensation compensation, int rank, List<Integer> servedRanks) {
  /** Weight formats. */
  public enum Quantization {
    NONE, INT8, INT4;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** 2:4 pruning methods. */
  public enum Pruning {
    NONE, MAGNITUDE, WANDA, MASK;

    public String label() {
      return this == NONE ? "none" : "2:4-" + name().toLowerCase(Locale.ROOT);
    }
  }

  /** Fits of the low-rank paths: activation-aware EoRA, or plain SVD of ΔW (the ablation). */
  public enum Compensation {
    EORA, SVD;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public CompressionPlan {
    servedRanks = List.copyOf(servedRanks);
    if (quantization == Quantization.INT4 && (blockSize < 16 || blockSize > 128 || Integer.bitCount(blockSize) != 1)) {
      throw new IllegalArgumentException("int4 block size must be 16, 32, 64 or 128, got " + blockSize);
    }
    if ((pruning == Pruning.MASK) != (maskFile != null)) {
      throw new IllegalArgumentException("a mask file goes with pruning MASK and only with it");
    }
    if (rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0, got " + rank);
    }
    if (rank > 0 && quantization == Quantization.NONE && pruning == Pruning.NONE) {
      throw new IllegalArgumentException("compensation rank " + rank + " without compression: there is no error to compensate");
    }
    for (int i = 0; i < servedRanks.size(); i++) {
      int r = servedRanks.get(i);
      if (r < 1 || r > rank || (i > 0 && r <= servedRanks.get(i - 1))) {
        throw new IllegalArgumentException("served ranks must ascend within 1.." + rank + ": " + servedRanks);
      }
    }
    if (rank > 0 && (servedRanks.isEmpty() || servedRanks.get(servedRanks.size() - 1) != rank)) {
      throw new IllegalArgumentException("served ranks must include the stored rank " + rank + ": " + servedRanks);
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

  /** The compressed W_c of one layer {@code w [out, in]} given its (possibly null) 2:4 keep-mask. */
  public float[] compress(float[] w, int out, int in, boolean[] keep) {
    float[] pruned = keep == null ? w : SemiStructuredPruner.apply(w, keep);
    switch (quantization) {
      case INT8:
        return Int8Quantizer.quantize(pruned, out, in).dequantize();
      case INT4:
        return Int4BlockQuantizer.quantize(pruned, out, in, blockSize).dequantize();
      default:
        return pruned.clone();
    }
  }

  /**
   * Bytes of one layer {@code [out, in]} in this format: int8 codes + a float scale per row; int4 in MatMulNBits
   * layout; 2:4 halves the values and adds 2 bits of index per kept value (the sparse-tensor-core layout); float32
   * when nothing applies.
   */
  public long packedBytes(int out, int in) {
    long values = (long) out * in;
    long index = 0;
    if (pruning != Pruning.NONE) {
      values /= 2;
      index = values / 4; // 2 bits per kept value
    }
    switch (quantization) {
      case INT8:
        return values + 4L * out + index;
      case INT4: {
        long blocks = (long) out * ((in + blockSize - 1) / blockSize);
        return values / 2 + 4 * blocks + (blocks + 1) / 2 + index;
      }
      default:
        return 4 * values + index;
    }
  }

  /** A one-line description, e.g. {@code int4 g32 + 2:4-wanda, eora r16}. */
  public String describe() {
    String q = quantization == Quantization.INT4 ? "int4 g" + blockSize : quantization.label();
    String p = pruning == Pruning.NONE ? "" : (quantization == Quantization.NONE ? "" : " + ") + pruning.label();
    String weights = quantization == Quantization.NONE && pruning == Pruning.NONE ? "dense" : (quantization == Quantization.NONE ? "" : q) + p;
    return rank == 0 ? weights : weights + ", " + compensation.label() + " r" + rank;
  }
}
