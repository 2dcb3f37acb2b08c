package io.flexserve.loadtest.workload;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One request of a run, fixed before the run starts.
 *
 * @param index position in the schedule, from 0
 * @param offsetNanos intended send time, nanoseconds from the run's start; zero or more
 * @param inputs the texts to embed, one or more, none blank; exactly one is sent as a JSON string,
 *     more as an array. For a generation request, exactly one: the prompt (chat: the user message)
 * @param targetMillis the latency target, milliseconds, sent as {@code X-Latency-Target-Ms} and
 *     used to judge this request; empty when the request has none
 * @param kind which endpoint, and whether streamed
 * @param generation {@code max_tokens} and TTFT/TPOT targets of a generation request; {@link
 *     Generation#NONE} for embeddings
 */
public record PlannedRequest(
    int index,
    long offsetNanos,
    List<String> inputs,
    OptionalDouble targetMillis,
    EndpointKind kind,
    Generation generation) {
  public PlannedRequest {
    inputs = List.copyOf(inputs);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(generation, "generation");
    if (index < 0 || offsetNanos < 0) {
      throw new IllegalArgumentException(
          "index and offset must be >= 0, got " + index + ", " + offsetNanos);
    }
    if (inputs.isEmpty() || inputs.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(
          "request " + index + " needs one or more non-blank inputs");
    }
    if (kind.generation() && (inputs.size() != 1 || generation.maxTokens() < 1)) {
      throw new IllegalArgumentException(
          "generation request " + index + " needs one prompt and max_tokens >= 1");
    }
    checkTarget(index, targetMillis, "latency");
    checkTarget(index, generation.ttftTargetMillis(), "TTFT");
    checkTarget(index, generation.tpotTargetMillis(), "TPOT");
  }

  /** An embeddings request. */
  public PlannedRequest(
      int index, long offsetNanos, List<String> inputs, OptionalDouble targetMillis) {
    this(index, offsetNanos, inputs, targetMillis, EndpointKind.EMBEDDINGS, Generation.NONE);
  }

  private static void checkTarget(int index, OptionalDouble t, String what) {
    double target = t.orElse(1);
    if (!(target > 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException(
          "request " + index + ": " + what + " target must be > 0 ms, got " + t.getAsDouble());
    }
  }

  /**
   * The generation-only part of a request.
   *
   * @param maxTokens {@code max_tokens}; 0 for embeddings
   * @param ttftTargetMillis sent as {@code X-TTFT-Target-Ms}; empty for none
   * @param tpotTargetMillis sent as {@code X-TPOT-Target-Ms}; empty for none
   */
  public record Generation(
      int maxTokens, OptionalDouble ttftTargetMillis, OptionalDouble tpotTargetMillis) {
    /** Not a generation request. */
    public static final Generation NONE =
        new Generation(0, OptionalDouble.empty(), OptionalDouble.empty());

    public Generation {
      Objects.requireNonNull(ttftTargetMillis, "ttftTargetMillis");
      Objects.requireNonNull(tpotTargetMillis, "tpotTargetMillis");
    }
  }
}
