/**
 * What the router knows about one elastic model: its {@link io.flexserve.router.ModelMenu menu} of
 * sub-networks, each with measured quality and a {@link io.flexserve.router.LatencyCurve latency
 * curve} by input size, and the {@link io.flexserve.router.LatencyEstimator online correction} of
 * those curves from observed runs. The decisions made with them live in {@link
 * io.flexserve.router.batch} (admission, batch policies) and are replayed by {@link
 * io.flexserve.router.sim} (the simulator).
 *
 * <p>This package is pure logic. It has no threads, I/O, logging, framework or ONNX Runtime, and it
 * never reads a clock: time, queue state and measured latencies arrive as data, so every decision
 * can be replayed in a unit test. Records and the menu are immutable; the estimator is the one
 * mutable class and is guarded by its owner.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}.
 * Absence is expressed with {@link java.util.Optional} or {@link java.util.OptionalDouble}.
 */
package io.flexserve.router;
