/**
 * Dispatch-time decisions: when a worker is free, which queued requests run together and on which
 * sub-network; and admission-time decisions: whether a new request may join the queue at all.
 *
 * <p>Pure logic like the rest of the router: the queue arrives as an immutable list in deadline
 * order, time as {@code nowMillis}, latency as a {@link io.flexserve.router.LatencyPredictor}. The
 * server's scheduler and the simulator call the same code, which is what lets the simulator predict
 * the server.
 *
 * <p>Source of the default policy: Khare et al., "SuperServe: Fine-Grained Inference Serving for
 * Unpredictable Workloads" (NSDI 2025), §4 SlackFit. Nothing here is null; absence is {@code
 * Optional}.
 */
package io.flexserve.router.batch;
