/**
 * One copy of a model's weights on disk and in memory.
 *
 * <p>A weight file is a flat sequence of little-endian float32 tensors, each starting on a 64-byte
 * boundary. Graphs refer to tensors by (offset, length) as ONNX external data; at load the file is
 * memory-mapped once and every ONNX Runtime session of every sub-network receives views into that
 * one mapping, so the weights exist once in memory no matter how many sub-networks are loaded.
 * Nested sub-networks work because their weights are stored so that a smaller sub-network's tensor
 * is a prefix of the larger one's.
 */
package io.flexserve.models.weights;
