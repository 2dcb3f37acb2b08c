package io.flexserve.server.encoder;

import io.flexserve.models.text.TokenBatch;
import io.flexserve.router.DeadlinePolicy;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One embeddings request offered to a model's scheduler, immutable.
 *
 * @param arrivalMillis when the request reached the server ({@link System#nanoTime} in ms): targets
 *     count from here, so parsing and tokenizing are inside the budget
 * @param batch the request's tokenized inputs
 * @param targetMillis {@code X-Latency-Target-Ms}; empty without one
 * @param forcedSubnet {@code X-Subnet}
 * @param deadlinePolicy {@code X-Deadline-Policy}
 * @param timeoutMillis from arrival, when to give up: answered 504, its run terminated unless
 *     others still need it
 */
public record EmbeddingJob(
    double arrivalMillis,
    TokenBatch batch,
    OptionalDouble targetMillis,
    Optional<String> forcedSubnet,
    DeadlinePolicy deadlinePolicy,
    double timeoutMillis) {}
