/**
 * Prometheus metrics (simpleclient): what the server counts and the {@code /metrics} endpoint that
 * exposes it.
 */
package io.flexserve.server.metrics;
