package io.flexserve.server.encoder;

import java.util.List;

/**
 * A validated {@code POST /v1/embeddings} body.
 *
 * @param model requested model; empty when the field was absent
 * @param inputs the strings to embed, at least one, none empty
 * @param base64 {@code encoding_format: base64}: embeddings as base64 little-endian float32
 */
public record EmbeddingsRequest(String model, List<String> inputs, boolean base64) {}
