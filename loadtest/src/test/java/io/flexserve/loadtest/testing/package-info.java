/**
 * Shared test fixtures of the load tester: a fake {@code /v1/embeddings} server on loopback,
 * builders of synthetic request records, and, for the integration test, the real server as a child
 * process with a parser of its Prometheus metrics.
 */
package io.flexserve.loadtest.testing;
