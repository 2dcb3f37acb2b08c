/**
 * A trace-driven, discrete-event simulator of one model's scheduler: the same {@link
 * io.flexserve.router.batch} admission and batch policies the server runs, driven by an arrival
 * trace and the measured latency profiles, deterministic for a seed. It compares policies in
 * seconds without a server. Nothing here is null.
 */
package io.flexserve.router.sim;
