package io.flexserve.server.scheduling;

import io.flexserve.models.text.TokenBatch;

/**
 * One admitted embeddings request, immutable: what to run and on which sub-network.
 *
 * @param subnet sub-network chosen by the router
 * @param batch tokenized inputs
 * @param predictedMillis the router's inference-time prediction, used to estimate the wait of later requests
 */
public record EmbeddingJob(String subnet, TokenBatch batch, double predictedMillis) {}
