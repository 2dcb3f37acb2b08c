/**
 * flexserve's load tester: how many requests per second a running server sustains at a latency
 * target, and with what quality (SLO attainment, goodput, latency percentiles, which sub-networks
 * served). It talks to the server only over HTTP, using the published wire format, and never links
 * server code.
 *
 * <p>{@link io.flexserve.loadtest.LoadTest} is the command line: {@code run} (the default), {@code
 * compare} and {@code sweep}, with their options in mixins shared between commands. The work is
 * split by concept: {@code arrival} (when requests are meant to be sent), {@code workload} (every
 * request's offset, inputs and target, generated or replayed from a trace), {@code endpoint} (the
 * server as seen over HTTP), {@code run} (the open-loop sender), {@code report} (what the records
 * mean, and its console, JSON and CSV renderings), {@code html} (the HTML pages with SVG charts),
 * and {@code sweep} (the search for the highest rate that meets an SLO). JSON is read and written
 * with Jackson's tree model.
 *
 * <p>Nullness: no parameter or return value in this package is {@code null}; picocli leaves
 * optional options {@code null} only inside the command and option-mixin fields.
 */
package io.flexserve.loadtest;
