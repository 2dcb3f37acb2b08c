/**
 * Choosing which sub-network of an elastic model runs a request.
 *
 * <p>Given a request's size in tokens, its optional latency target, the estimated time it will wait
 * in the queue, and a {@link io.flexserve.router.ModelMenu} of sub-networks with measured
 * {@link io.flexserve.router.LatencyCurve latency curves}, a {@link io.flexserve.router.RoutingPolicy}
 * returns a {@link io.flexserve.router.RoutingDecision}: run this sub-network, or reject the request.
 *
 * <p>This package is pure logic. It has no threads, I/O, logging, framework or ONNX Runtime, and it
 * never reads a clock: queue wait and measured latencies arrive as data, so every decision can be
 * replayed in a unit test. All types are immutable and safe to share between threads.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}.
 * Absence is expressed with {@link java.util.Optional} or {@link java.util.OptionalDouble}, and a
 * {@code null} argument fails fast with a {@link java.lang.NullPointerException} naming it.
 */
package io.flexserve.router;
