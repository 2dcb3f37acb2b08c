/**
 * Conversion of a Llama-family checkpoint into an elastic decoder bundle ({@code
 * ElasticDecoderConverter}): calibration ({@code CalibrationText}, {@code CalibrationProbe}, {@code
 * LayerActivations}), compression of every linear layer ({@code DecoderCompressor}), the weight
 * file ({@code DecoderWeightFile}), the static menu ({@code MenuSearch}), and the offline measures:
 * {@code Perplexity}, {@code GreedyDecoder}, {@code CompressionStudy} and {@code CompressionCost}.
 */
package io.flexserve.convert.llm;
