/**
 * Weight compression of linear layers and its training-free low-rank compensation.
 *
 * <p>Every function here works on one linear layer in the Hugging Face orientation, a row-major
 * {@code [out, in]} matrix W with y = W·x, so that "per output channel", "blocks along the input
 * dimension" and "2:4 along the input dimension" mean the same thing for every layer. The quantizer
 * ({@link io.flexserve.models.weights.BlockQuantizer}, 4 or 8 bits in ONNX Runtime's MatMulNBits
 * layout) and the 2:4 pruner ({@link SemiStructuredPruner}, {@link MaskLlmMasks}) produce a
 * compressed W_c; {@link Eora} fits factors B·A of the error ΔW = W − W_c in the eigenspace of the
 * layer's input activations ({@link Gram}), so that y ≈ W_c·x + B·(A·x). The rank axis of the
 * factors is sorted by singular value: any smaller rank is a prefix, the same nesting trick as the
 * elastic widths.
 */
package io.flexserve.convert.compress;
