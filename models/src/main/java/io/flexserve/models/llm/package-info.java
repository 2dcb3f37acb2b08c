/**
 * Elastic decoders at serving time: the bundle ({@link DecoderManifest}), the prefix storage layout
 * ({@link DecoderWeights}, {@link QuantizedWeights}), the graph of one sub-network with a KV cache
 * ({@link DecoderGraph}, {@link GqaDecoderGraph}), and its sessions: {@link ElasticDecoder} (a
 * loaded bundle), {@link DecoderSession} + {@link KvCache} (prefill and decode steps), {@link
 * DecodeBatch} (continuous batching's rows) and {@link DecoderTimer}. Conversion is the toolchain's
 * ({@code io.flexserve.convert.llm}).
 */
package io.flexserve.models.llm;
