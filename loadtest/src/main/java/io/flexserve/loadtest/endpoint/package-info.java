/**
 * The server under test, as the load tester sees it over HTTP: its address (refused unless
 * loopback, by default), the readiness probe, the {@code POST /v1/embeddings} request wire format
 * with its routing headers, and the response headers read back into a {@link
 * io.flexserve.loadtest.report.RequestRecord}. This is the only package that knows header names and
 * paths.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null};
 * optional values are {@link java.util.Optional} or {@link java.util.OptionalDouble}.
 */
package io.flexserve.loadtest.endpoint;
