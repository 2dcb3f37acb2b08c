/**
 * Choosing the sub-network of a text generation: per-request targets on time to first token, time
 * per output token and total time ({@code GenerationTargets}, which alone interprets them), against
 * measured prefill and decode costs and what is already running. {@code GenerationRouter} chooses
 * at admission; {@code SwitchPlanner} plans each iteration's token-level moves between
 * KV-compatible sub-networks. Pure logic: time arrives as an argument.
 */
package io.flexserve.router.generation;
