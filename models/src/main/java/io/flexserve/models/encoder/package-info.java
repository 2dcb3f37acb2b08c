/**
 * Elastic text encoders (BERT family, e.g. all-MiniLM-L6-v2) in the Flextron style.
 *
 * <p>Conversion ({@link io.flexserve.models.encoder.ElasticEncoderConverter}): import the dense
 * model's weights, rank every MLP neuron and attention head by activation importance on calibration
 * sentences (Minitron), permute the weights so that importance order is storage order, and write
 * one weight file plus one ONNX graph per nested sub-network. A smaller sub-network uses a prefix
 * of every tensor, so all of them share the one weight file. Layers are skipped in order of least
 * block importance.
 *
 * <p>Sources: Cai et al., "Flextron: Many-in-One Flexible Large Language Model" (2024);
 * Muralidharan et al., "Compact Language Models via Pruning and Knowledge Distillation" (Minitron,
 * 2024), §2 importance estimation.
 */
package io.flexserve.models.encoder;
