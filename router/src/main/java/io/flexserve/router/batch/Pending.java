package io.flexserve.router.batch;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A request waiting in a model's queue, as the policies see it.
 *
 * @param id admission order, unique per queue; breaks deadline ties first-come-first-served
 * @param inputs texts (or images) in the request, ≥ 1
 * @param sequence padded length of its longest input, in tokens, ≥ 1
 * @param admittedAtMillis when it was admitted, on the caller's clock
 * @param deadlineMillis admission time + latency target, on the same clock; empty without a target
 * @param forcedSubnet sub-network the client forced with {@code X-Subnet}
 */
public record Pending(
    long id,
    int inputs,
    int sequence,
    double admittedAtMillis,
    OptionalDouble deadlineMillis,
    Optional<String> forcedSubnet) {
  public Pending {
    if (inputs < 1 || sequence < 1) {
      throw new IllegalArgumentException(
          "request " + id + ": inputs " + inputs + " and sequence " + sequence + " must be ≥ 1");
    }
    if (!Double.isFinite(admittedAtMillis)
        || (deadlineMillis.isPresent() && !Double.isFinite(deadlineMillis.getAsDouble()))) {
      throw new IllegalArgumentException("request " + id + ": times must be finite");
    }
  }

  /** Padded tokens of this request run alone: inputs × its longest input. */
  public int paddedTokens() {
    return inputs * sequence;
  }

  /**
   * How long a request without a target may be overtaken by targeted ones: it is ordered as if its
   * deadline were this long after admission, so steady targeted traffic cannot starve it.
   */
  public static final double UNTARGETED_PATIENCE_MILLIS = 1000;

  /**
   * The deadline the queue is ordered by: the real one, or admission + {@link
   * #UNTARGETED_PATIENCE_MILLIS}.
   */
  public double orderingDeadline() {
    return deadlineMillis.orElse(admittedAtMillis + UNTARGETED_PATIENCE_MILLIS);
  }

  /**
   * Requests that may share a run: the same forced sub-network, or all targeted, or all untargeted
   * (which get the full model and must not be shrunk to suit a neighbour's deadline).
   */
  String batchClass() {
    return forcedSubnet
        .map(s -> "forced:" + s)
        .orElse(deadlineMillis.isPresent() ? "targeted" : "untargeted");
  }

  /** Deadline order, then admission order: how the queue is kept. */
  public static int byDeadline(Pending a, Pending b) {
    int c = Double.compare(a.orderingDeadline(), b.orderingDeadline());
    return c != 0 ? c : Long.compare(a.id, b.id);
  }
}
