/**
 * Shared test fixtures of the load tester: a fake {@code /v1/embeddings} server on loopback and builders of synthetic
 * request records.
 */
package io.flexserve.loadtest.testing;
