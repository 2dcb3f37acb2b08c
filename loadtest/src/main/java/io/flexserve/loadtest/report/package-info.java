/**
 * What a run measured and what it means. A {@link io.flexserve.loadtest.report.RequestRecord} is
 * the outcome of one request; {@link io.flexserve.loadtest.report.Report#of} turns the records of a
 * run into counts, throughput, goodput, SLO attainment, latency percentiles (HdrHistogram) and the
 * share of each sub-network. The report is a pure function of the records, so it is replayable in
 * unit tests. {@code ConsoleReport}, {@code JsonReport} and {@code CsvRecords} render it.
 *
 * <p>Times inside records are nanoseconds from the run's start; the report speaks milliseconds and
 * seconds.
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}.
 * Absent header values are empty strings, {@link
 * io.flexserve.loadtest.report.DeadlineVerdict#NOT_REPORTED} or NaN, as each documents.
 */
package io.flexserve.loadtest.report;
