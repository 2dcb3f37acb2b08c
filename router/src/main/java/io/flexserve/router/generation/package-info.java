/**
 * Choosing the sub-network of a text generation: per-request targets on time to first token, time
 * per output token and total time, against measured prefill and decode costs and what is already
 * running. Pure logic.
 */
package io.flexserve.router.generation;
