package io.flexserve.loadtest.endpoint;

import io.flexserve.loadtest.report.DeadlineVerdict;
import io.flexserve.loadtest.report.GenerationRecord;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import java.net.http.HttpHeaders;

/** Reads the server's routing response headers into a {@link RequestRecord}. */
public final class ResponseHeaders {
  /** Sub-network that served the request. */
  public static final String SUBNET = "X-Subnet";

  /** Time spent queued, milliseconds. */
  public static final String QUEUE_MS = "X-Queue-Ms";

  /** Time spent in inference, milliseconds. */
  public static final String INFERENCE_MS = "X-Inference-Ms";

  /**
   * Image resolution a vision request ran at; the sub-network is then named {@code
   * <subnet>@<resolution>}.
   */
  public static final String RESOLUTION = "X-Resolution";

  /** {@code true} or {@code false}; only when the request carried a latency target. */
  public static final String DEADLINE_MET = "X-Deadline-Met";

  private ResponseHeaders() {}

  /**
   * Returns the record of a request that received a response.
   *
   * @param index schedule position
   * @param intendedNanos intended send time, nanoseconds from the run's start
   * @param targetMillis the request's latency target, milliseconds; NaN when it had none
   * @param status HTTP status
   * @param headers response headers
   * @param latencyNanos from intended send to completion
   * @param serviceNanos from actual send to completion
   * @param endpoint the endpoint kind's label, such as {@code embeddings} or {@code vision}
   */
  public static RequestRecord toRecord(
      int index,
      long intendedNanos,
      double targetMillis,
      int status,
      HttpHeaders headers,
      long latencyNanos,
      long serviceNanos,
      String endpoint) {
    String subnet = headers.firstValue(SUBNET).map(String::strip).orElse("");
    String resolution = headers.firstValue(RESOLUTION).map(String::strip).orElse("");
    return new RequestRecord(
        index,
        intendedNanos,
        targetMillis,
        Outcome.ofStatus(status),
        status,
        latencyNanos,
        serviceNanos,
        subnet.isEmpty() || resolution.isEmpty() ? subnet : subnet + "@" + resolution,
        DeadlineVerdict.fromHeader(headers.firstValue(DEADLINE_MET).orElse(null)),
        millis(headers.firstValue(QUEUE_MS).orElse(null)),
        millis(headers.firstValue(INFERENCE_MS).orElse(null)),
        "",
        endpoint,
        GenerationRecord.NONE);
  }

  private static double millis(String value) {
    if (value == null) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
