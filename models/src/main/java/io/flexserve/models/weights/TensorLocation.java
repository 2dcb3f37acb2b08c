package io.flexserve.models.weights;

/**
 * Where one tensor lives in a weight file: float32, or packed bytes counted in 4-byte words (see
 * {@link WeightFileWriter#write(byte[])}).
 *
 * @param offset byte offset from the start of the file, a multiple of {@link
 *     WeightFileWriter#ALIGNMENT}
 * @param floats number of float32 elements
 */
public record TensorLocation(long offset, long floats) {
  public TensorLocation {
    if (offset < 0 || floats <= 0) {
      throw new IllegalArgumentException(
          "bad tensor location: offset=" + offset + " floats=" + floats);
    }
  }

  public long bytes() {
    return floats * 4;
  }

  /**
   * The first {@code count} floats of this tensor: a nested sub-network's slice of a prefix-ordered
   * tensor.
   */
  public TensorLocation prefix(long count) {
    if (count <= 0 || count > floats) {
      throw new IllegalArgumentException(
          "prefix of " + count + " floats outside a tensor of " + floats);
    }
    return new TensorLocation(offset, count);
  }
}
