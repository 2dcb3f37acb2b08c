package io.flexserve.loadtest.report;

import java.util.Objects;

/**
 * The outcome of one request of a run.
 *
 * @param index position in the schedule, from 0
 * @param intendedNanos when the request was meant to be sent, nanoseconds from the run's start
 * @param targetMillis the latency target this request carried and is judged against, milliseconds;
 *     NaN when none
 * @param outcome how it ended
 * @param status HTTP status; 0 when {@code outcome} is {@link Outcome#TIMEOUT} or {@link
 *     Outcome#TRANSPORT_ERROR}
 * @param latencyNanos end-to-end latency: from the intended send time to completion (response body
 *     read, timeout or failure), nanoseconds; includes any delay the load generator itself added
 *     before sending
 * @param serviceNanos from the actual send to completion, nanoseconds; at most {@code latencyNanos}
 * @param subnet the {@code X-Subnet} response header; empty when absent
 * @param deadlineVerdict the {@code X-Deadline-Met} response header
 * @param queueMillis the {@code X-Queue-Ms} response header, milliseconds; NaN when absent or
 *     unparsable
 * @param inferenceMillis the {@code X-Inference-Ms} response header, milliseconds; NaN when absent
 *     or unparsable
 * @param error for {@link Outcome#TIMEOUT} and {@link Outcome#TRANSPORT_ERROR}, the exception's
 *     class and message; empty otherwise; for an error event inside a stream, its message
 * @param endpoint the endpoint kind's label ({@code embeddings}, {@code completions}, {@code
 *     completions-stream}, {@code chat}, {@code chat-stream})
 * @param generation what a generation request produced; {@link GenerationRecord#NONE} for
 *     embeddings. For a generation, {@code subnet} is the sub-network that produced the most tokens
 *     and {@code deadlineVerdict} comes from {@code flexserve.deadline_met} (streams) or {@code
 *     X-Deadline-Met}
 * @param model the {@code model} the request named; empty when unknown (records made before the run
 *     knew it). Sub-networks are named per model, see {@link #qualifiedSubnet()}
 */
public record RequestRecord(
    int index,
    long intendedNanos,
    double targetMillis,
    Outcome outcome,
    int status,
    long latencyNanos,
    long serviceNanos,
    String subnet,
    DeadlineVerdict deadlineVerdict,
    double queueMillis,
    double inferenceMillis,
    String error,
    String endpoint,
    GenerationRecord generation,
    String model) {
  /** Label of the embeddings endpoint kind. */
  public static final String EMBEDDINGS = "embeddings";

  /** A record whose model is not known yet (see {@link #withModel}). */
  public RequestRecord(
      int index,
      long intendedNanos,
      double targetMillis,
      Outcome outcome,
      int status,
      long latencyNanos,
      long serviceNanos,
      String subnet,
      DeadlineVerdict deadlineVerdict,
      double queueMillis,
      double inferenceMillis,
      String error,
      String endpoint,
      GenerationRecord generation) {
    this(
        index,
        intendedNanos,
        targetMillis,
        outcome,
        status,
        latencyNanos,
        serviceNanos,
        subnet,
        deadlineVerdict,
        queueMillis,
        inferenceMillis,
        error,
        endpoint,
        generation,
        "");
  }

  /** An embeddings request. */
  public RequestRecord(
      int index,
      long intendedNanos,
      double targetMillis,
      Outcome outcome,
      int status,
      long latencyNanos,
      long serviceNanos,
      String subnet,
      DeadlineVerdict deadlineVerdict,
      double queueMillis,
      double inferenceMillis,
      String error) {
    this(
        index,
        intendedNanos,
        targetMillis,
        outcome,
        status,
        latencyNanos,
        serviceNanos,
        subnet,
        deadlineVerdict,
        queueMillis,
        inferenceMillis,
        error,
        EMBEDDINGS,
        GenerationRecord.NONE);
  }

  public RequestRecord {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(subnet, "subnet");
    Objects.requireNonNull(deadlineVerdict, "deadlineVerdict");
    Objects.requireNonNull(error, "error");
    if (index < 0 || intendedNanos < 0) {
      throw new IllegalArgumentException(
          "index and intendedNanos must be >= 0, got " + index + ", " + intendedNanos);
    }
    if (!Double.isNaN(targetMillis) && !(targetMillis > 0 && Double.isFinite(targetMillis))) {
      throw new IllegalArgumentException("targetMillis must be > 0 or NaN, got " + targetMillis);
    }
    if (outcome.hasStatus() ? Outcome.ofStatus(status) != outcome : status != 0) {
      throw new IllegalArgumentException("status " + status + " does not fit outcome " + outcome);
    }
    if (serviceNanos < 0 || serviceNanos > latencyNanos) {
      throw new IllegalArgumentException(
          "need 0 <= serviceNanos <= latencyNanos, got " + serviceNanos + " and " + latencyNanos);
    }
  }

  /** A request without a target that received an HTTP response but no routing headers. */
  public static RequestRecord response(
      int index, long intendedNanos, int status, long latencyNanos, long serviceNanos) {
    return new RequestRecord(
        index,
        intendedNanos,
        Double.NaN,
        Outcome.ofStatus(status),
        status,
        latencyNanos,
        serviceNanos,
        "",
        DeadlineVerdict.NOT_REPORTED,
        Double.NaN,
        Double.NaN,
        "");
  }

  /**
   * A request that ended without a status: {@link Outcome#TIMEOUT} or {@link
   * Outcome#TRANSPORT_ERROR}.
   */
  public static RequestRecord failure(
      int index,
      long intendedNanos,
      double targetMillis,
      Outcome outcome,
      long latencyNanos,
      long serviceNanos,
      String error) {
    return new RequestRecord(
        index,
        intendedNanos,
        targetMillis,
        outcome,
        0,
        latencyNanos,
        serviceNanos,
        "",
        DeadlineVerdict.NOT_REPORTED,
        Double.NaN,
        Double.NaN,
        error);
  }

  /** The same failure, to endpoint kind {@code endpoint}. */
  public static RequestRecord failure(
      int index,
      long intendedNanos,
      double targetMillis,
      Outcome outcome,
      long latencyNanos,
      long serviceNanos,
      String error,
      String endpoint) {
    return new RequestRecord(
        index,
        intendedNanos,
        targetMillis,
        outcome,
        0,
        latencyNanos,
        serviceNanos,
        "",
        DeadlineVerdict.NOT_REPORTED,
        Double.NaN,
        Double.NaN,
        error,
        endpoint,
        GenerationRecord.NONE);
  }

  /** The same record, naming {@code model} as the model the request went to. */
  public RequestRecord withModel(String model) {
    return new RequestRecord(
        index,
        intendedNanos,
        targetMillis,
        outcome,
        status,
        latencyNanos,
        serviceNanos,
        subnet,
        deadlineVerdict,
        queueMillis,
        inferenceMillis,
        error,
        endpoint,
        generation,
        model);
  }

  /**
   * The answering sub-network named per model, {@code model/subnet}, so two models' sub-networks of
   * the same name ({@code full}) stay apart; the bare {@code subnet} when the model is unknown,
   * empty when the subnet is.
   */
  public String qualifiedSubnet() {
    return subnet.isEmpty() || model.isEmpty() ? subnet : model + "/" + subnet;
  }

  /** Whether the request carried a latency target. */
  public boolean hasTarget() {
    return !Double.isNaN(targetMillis);
  }

  /**
   * Whether the request counts towards the SLO: a 2xx whose client-measured end-to-end latency is
   * at most its target (any 2xx when it had none).
   */
  public boolean good() {
    return outcome == Outcome.OK && (!hasTarget() || latencyMillis() <= targetMillis);
  }

  /** End-to-end latency in milliseconds. */
  public double latencyMillis() {
    return latencyNanos / 1e6;
  }

  /** Service time in milliseconds. */
  public double serviceMillis() {
    return serviceNanos / 1e6;
  }

  /** How late the load generator sent this request after its intended time, nanoseconds. */
  public long sendLagNanos() {
    return latencyNanos - serviceNanos;
  }

  /** Completion time, nanoseconds from the run's start. */
  public long completedNanos() {
    return intendedNanos + latencyNanos;
  }
}
