package io.flexserve.loadtest.testing;

import io.flexserve.loadtest.report.DeadlineVerdict;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import java.util.List;

/**
 * Synthetic request records for report tests. Times are given in milliseconds; records carry no
 * target.
 */
public final class Records {
  private Records() {}

  /**
   * A 200 served by {@code subnet}, intended at {@code atMs}, taking {@code latencyMs} end to end.
   */
  public static RequestRecord ok(int index, double atMs, double latencyMs, String subnet) {
    return ok(index, atMs, latencyMs, subnet, DeadlineVerdict.NOT_REPORTED);
  }

  /** Like {@link #ok} with the server's {@code X-Deadline-Met} verdict. */
  public static RequestRecord ok(
      int index, double atMs, double latencyMs, String subnet, DeadlineVerdict verdict) {
    return new RequestRecord(
        index,
        nanos(atMs),
        Double.NaN,
        Outcome.OK,
        200,
        nanos(latencyMs),
        nanos(latencyMs),
        subnet,
        verdict,
        0.1,
        1.0,
        "");
  }

  /** A response with {@code status} and no routing headers. */
  public static RequestRecord status(int index, double atMs, double latencyMs, int status) {
    return RequestRecord.response(index, nanos(atMs), status, nanos(latencyMs), nanos(latencyMs));
  }

  /** A timeout after {@code latencyMs}. */
  public static RequestRecord timeout(int index, double atMs, double latencyMs) {
    return RequestRecord.failure(
        index,
        nanos(atMs),
        Double.NaN,
        Outcome.TIMEOUT,
        nanos(latencyMs),
        nanos(latencyMs),
        "HttpTimeoutException: request timed out");
  }

  /** A refused connection. */
  public static RequestRecord refused(int index, double atMs) {
    return RequestRecord.failure(
        index,
        nanos(atMs),
        Double.NaN,
        Outcome.TRANSPORT_ERROR,
        nanos(0.5),
        nanos(0.5),
        "ConnectException");
  }

  /** The record with its latency target set to {@code targetMs}. */
  public static RequestRecord withTarget(RequestRecord r, double targetMs) {
    return new RequestRecord(
        r.index(),
        r.intendedNanos(),
        targetMs,
        r.outcome(),
        r.status(),
        r.latencyNanos(),
        r.serviceNanos(),
        r.subnet(),
        r.deadlineVerdict(),
        r.queueMillis(),
        r.inferenceMillis(),
        r.error());
  }

  /** Every record with its latency target set to {@code targetMs}. */
  public static List<RequestRecord> withTarget(List<RequestRecord> records, double targetMs) {
    return records.stream().map(r -> withTarget(r, targetMs)).toList();
  }

  public static long nanos(double millis) {
    return Math.round(millis * 1e6);
  }
}
