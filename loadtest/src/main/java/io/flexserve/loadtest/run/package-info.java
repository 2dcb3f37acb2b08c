/**
 * Running one open-loop load test: wait for readiness, compute every intended send time from the
 * arrival process, send each request at its time whether or not earlier ones have answered, and
 * collect one {@link io.flexserve.loadtest.report.RequestRecord} per request. {@link
 * io.flexserve.loadtest.run.LoadTestRun} is the entry point; the sending protocol itself is the
 * package-private {@code OpenLoopSender}.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}.
 */
package io.flexserve.loadtest.run;
