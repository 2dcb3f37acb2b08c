package io.flexserve.loadtest.report;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a run achieved: how many requests per second were served, how many of them were good, and how fast.
 *
 * <p>A request is <em>good</em> when it received a 2xx response and, if the run had a latency target, its
 * client-measured end-to-end latency was at most the target. Everything else (429s, other statuses, timeouts,
 * transport errors and late 2xx) counts against the SLO.
 *
 * @param sent requests sent (all records)
 * @param statusCounts requests per HTTP status code, ascending; requests without a status are not in it
 * @param ok requests with a 2xx status
 * @param rejected requests shed with 429
 * @param httpErrors requests with any other status
 * @param timeouts requests with no response within the per-request timeout
 * @param transportErrors requests that failed without a status
 * @param targetMillis the latency target the run was judged against; empty when the run had none
 * @param good 2xx requests that met the target (all 2xx when there is no target)
 * @param serverVerdicts 2xx responses that carried {@code X-Deadline-Met}
 * @param serverMet of those, how many said {@code true}
 * @param durationSeconds from the run's start to the last completion, seconds; 0 for an empty run
 * @param throughputPerSecond {@code ok / durationSeconds}: achieved throughput; 0 for an empty run
 * @param goodputPerSecond {@code good / durationSeconds}; 0 for an empty run
 * @param sloAttainment {@code good / sent}, in [0, 1]; NaN for an empty run
 * @param latency end-to-end latency (from the intended send time) of the 2xx requests
 * @param service service time (from the actual send) of the 2xx requests
 * @param maxSendLagMillis the longest delay between a request's intended and actual send, over all requests; a large
 *     value means the load generator, not the server, fell behind
 * @param subnetCounts 2xx requests per {@code X-Subnet} value, by name; responses without the header are left out
 * @param errorKinds timeouts and transport errors per exception class (the part of
 *     {@link RequestRecord#error()} before the first colon), by name
 */
public record Report(long sent, SortedMap<Integer, Long> statusCounts, long ok, long rejected, long httpErrors,
                     long timeouts, long transportErrors, OptionalDouble targetMillis, long good, long serverVerdicts,
                     long serverMet, double durationSeconds, double throughputPerSecond, double goodputPerSecond,
                     double sloAttainment, LatencySummary latency, LatencySummary service, double maxSendLagMillis,
                     SortedMap<String, Long> subnetCounts, SortedMap<String, Long> errorKinds) {
    public Report {
        Objects.requireNonNull(targetMillis, "targetMillis");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(service, "service");
        statusCounts = Collections.unmodifiableSortedMap(new TreeMap<>(statusCounts));
        subnetCounts = Collections.unmodifiableSortedMap(new TreeMap<>(subnetCounts));
        errorKinds = Collections.unmodifiableSortedMap(new TreeMap<>(errorKinds));
        if (ok + rejected + httpErrors + timeouts + transportErrors != sent) {
            throw new IllegalArgumentException("outcome counts do not add up to sent=" + sent);
        }
        if (good > ok || serverMet > serverVerdicts) {
            throw new IllegalArgumentException("good=" + good + " > ok=" + ok + " or serverMet > serverVerdicts");
        }
    }

    /**
     * Computes the report of a run. A pure function: it reads no clock and keeps no reference to {@code records}.
     *
     * @param records every request of the run, in any order
     * @param targetMillis the latency target to judge against, milliseconds; empty when the run had none
     * @return the report
     * @throws IllegalArgumentException if the target is present and not positive
     */
    public static Report of(List<RequestRecord> records, OptionalDouble targetMillis) {
        return ReportCalculator.compute(records, targetMillis);
    }

    /** Requests that did not get a usable answer: other statuses, timeouts and transport errors (not 429s). */
    public long errors() {
        return httpErrors + timeouts + transportErrors;
    }

    /** The fraction of 2xx requests served by {@code subnet}, in [0, 1]; 0 when there were none. */
    public double subnetShare(String subnet) {
        return ok == 0 ? 0 : subnetCounts.getOrDefault(subnet, 0L) / (double) ok;
    }
}
