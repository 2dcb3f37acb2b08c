/**
 * flexserve: an inference server for elastic (Flextron-style nested) models. Requests flow one way:
 * {@code api} (parse, validate) → router (choose a sub-network) → {@code scheduling} (queue, run) →
 * models (ONNX Runtime) → {@code api} (encode). {@code catalog} loads models; {@code errors},
 * {@code metrics} and {@code security} (optional API keys, rate limits) are cross-cutting; {@code
 * cli} holds the subcommands of the same jar.
 */
package io.flexserve.server;
