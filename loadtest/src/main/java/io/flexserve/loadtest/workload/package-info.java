/**
 * The workload of a run: which requests it sends, when, with which inputs and which latency
 * targets, all fixed before the first request leaves. A {@link
 * io.flexserve.loadtest.workload.Workload} is either generated from an {@link
 * io.flexserve.loadtest.arrival.ArrivalProcess} or replayed from a trace file ({@link
 * io.flexserve.loadtest.workload.TraceFile}); either way it yields a list of {@link
 * io.flexserve.loadtest.workload.PlannedRequest}s. Per-request targets come from a {@link
 * io.flexserve.loadtest.workload.TargetDistribution} drawn with the run's seed.
 *
 * <p>Pure logic apart from reading text and trace files: no clock, no threads, no network. Equal
 * inputs give equal plans.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null};
 * absent targets are empty {@link java.util.OptionalDouble}s.
 */
package io.flexserve.loadtest.workload;
