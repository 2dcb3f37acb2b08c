package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data that own their memory. DJL's PyTorch {@code create} wraps a Java
 * direct buffer ({@code torch::from_blob}) and lets go of that buffer when the NDArray is closed,
 * although views of it and the autograd graph can still read it; training then saw sporadic NaN
 * gradients and a crash. A clone made at once and the wrapper closed leaves PyTorch owning every
 * byte it reads.
 *
 * <p>The same holds for a plain number: DJL's {@code x.mul(2f)}, {@code div}, {@code add}, {@code
 * sub}, {@code maximum} (every {@code Number} overload) wrap the number in a 0-d array over a fresh
 * direct buffer and close that array as soon as the operation returns. Autograd keeps the scalar
 * for the backward pass (mul, div and maximum read it there), so the backward pass read a buffer
 * the garbage collector had freed and possibly reused: layer 0's attention scale became garbage now
 * and then and the q and k gradients (and everything below them) came out NaN, not repeatably, even
 * on one thread. On the autograd path, scalars go through {@link #times}, {@link #over}, {@link
 * #plus} and {@link #atLeast}, whose 0-d arrays PyTorch allocates and reference-counts itself.
 */
final class OwnedArrays {
  private OwnedArrays() {}

  static NDArray of(NDManager manager, float[] data, Shape shape) {
    try (NDArray wrapped = manager.create(data, shape)) {
      return wrapped.duplicate();
    }
  }

  static NDArray of(NDManager manager, long[] data, Shape shape) {
    try (NDArray wrapped = manager.create(data, shape)) {
      return wrapped.duplicate();
    }
  }

  /**
   * A 0-d float32 array that PyTorch allocates and owns ({@code torch::full}, no Java buffer behind
   * it).
   */
  static NDArray scalar(NDManager manager, float value) {
    return manager.full(new Shape(), value, DataType.FLOAT32);
  }

  /** {@code x · value}, safe on the autograd path. */
  static NDArray times(NDArray x, float value) {
    try (NDArray c =
        scalar(x.getManager(), value)) { // the graph keeps its own reference to the PyTorch storage
      return x.mul(c);
    }
  }

  /** {@code x / value}, safe on the autograd path. */
  static NDArray over(NDArray x, float value) {
    try (NDArray c = scalar(x.getManager(), value)) {
      return x.div(c);
    }
  }

  /** {@code x + value}, safe on the autograd path. */
  static NDArray plus(NDArray x, float value) {
    try (NDArray c = scalar(x.getManager(), value)) {
      return x.add(c);
    }
  }

  /** {@code max(x, value)} elementwise, safe on the autograd path. */
  static NDArray atLeast(NDArray x, float value) {
    try (NDArray c = scalar(x.getManager(), value)) {
      return x.maximum(c);
    }
  }
}
