/**
 * flexserve's load tester: how many requests per second a running server sustains at a latency target, and with
 * what quality (SLO attainment, goodput, latency percentiles, which sub-networks served). It talks to the server only
 * over HTTP, using the published wire format, and never links server code.
 *
 * <p>{@link io.flexserve.loadtest.LoadTest} is the command line. The work is split by concept: {@code arrival}
 * (when requests are meant to be sent), {@code endpoint} (the server as seen over HTTP), {@code run} (the open-loop
 * sender), {@code report} (what the records mean, and its renderings) and {@code json} (hand-written JSON).
 *
 * <p>Nullness: no parameter or return value in this package is {@code null}; picocli leaves optional options
 * {@code null} only inside {@link io.flexserve.loadtest.LoadTest}'s fields.
 */
package io.flexserve.loadtest;
