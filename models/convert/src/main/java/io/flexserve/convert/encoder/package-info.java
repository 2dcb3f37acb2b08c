/**
 * Offline studies of elastic encoders: {@code SimilaritySet} (labelled sentence pairs, Spearman of
 * cosine against the score), {@code EncoderQuality} (every sub-network's quality as served) and
 * {@code EncoderCompressionStudy} (cosine fidelity of int8 / int4 with SVD or EoRA compensation).
 * The encoder's own conversion stays in the runtime, because the embedded default is converted at
 * the server's first start.
 */
package io.flexserve.convert.encoder;
