/**
 * The HTTP API: OpenAI-compatible embeddings and models, KServe v2 health and model metadata.
 * Controllers parse and validate (wire DTOs here are distinct from internal records), hand work to
 * {@link io.flexserve.server.encoder.EmbeddingService}, and never catch errors: they throw {@link
 * io.flexserve.server.errors.ApiException}s.
 */
package io.flexserve.server.api;
