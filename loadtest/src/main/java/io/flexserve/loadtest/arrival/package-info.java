/**
 * Arrival processes: when each request of an open-loop run is meant to be sent. A {@link
 * io.flexserve.loadtest.arrival.ArrivalProcess} turns a rate, a seed and {@link
 * io.flexserve.loadtest.arrival.ScheduleBounds} into the full list of intended send times before
 * the run starts, so the schedule never depends on how fast the server answers.
 *
 * <p>This package is pure logic: no clock, no threads, no I/O. Equal inputs give equal schedules.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}.
 */
package io.flexserve.loadtest.arrival;
