package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data that own their memory. DJL's PyTorch {@code create} wraps a Java direct buffer
 * ({@code torch::from_blob}) and lets go of that buffer when the NDArray is closed, although views of it and the
 * autograd graph can still read it; training then saw sporadic NaN gradients and a crash. A clone made at once and the
 * wrapper closed leaves PyTorch owning every byte it reads.
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
}
