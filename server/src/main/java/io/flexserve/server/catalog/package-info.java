/**
 * The models this server serves: finding bundles in the model repository (or converting the
 * embedded default), loading them in the background, profiling each sub-network's latency, and each
 * model's lifecycle state. The catalog is the model repository's view for HTTP code; it holds no
 * request state.
 */
package io.flexserve.server.catalog;
