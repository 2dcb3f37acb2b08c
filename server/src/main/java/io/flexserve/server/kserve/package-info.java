/**
 * The Open Inference Protocol (KServe v2) REST surface for every model kind: health, server and
 * model metadata, readiness, and inference with the binary tensor data extension ({@code
 * InferRequest}, {@code InferResponse}). Encoders take {@code text} BYTES and return {@code
 * sentence_embedding}; decoders take {@code text} BYTES or {@code input_ids} INT64 and return
 * {@code text_output} and {@code output_ids}; vision models are served by {@code
 * vision.KServeVision}. Routing headers work as on {@code /v1}.
 */
package io.flexserve.server.kserve;
