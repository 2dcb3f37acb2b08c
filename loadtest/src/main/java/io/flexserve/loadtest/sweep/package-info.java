/**
 * Capacity sweeps: the highest arrival rate at which a server still meets an SLO attainment. A
 * {@link io.flexserve.loadtest.sweep.RateSearch} (pure: geometric growth, then bisection) proposes
 * rates; {@link io.flexserve.loadtest.sweep.Sweep} runs one open-loop probe per rate through an
 * injected runner and collects a {@link io.flexserve.loadtest.sweep.SweepResult}.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}.
 */
package io.flexserve.loadtest.sweep;
