package io.flexserve.loadtest.workload;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One request of a recorded trace.
 *
 * @param offsetNanos when to send it, nanoseconds from the start of the replay; zero or more
 * @param inputs what to embed
 * @param targetMillis its latency target, milliseconds; empty to use the run's target distribution
 * @param kind the endpoint (column {@code endpoint}; empty means embeddings)
 * @param maxTokens a generation request's {@code max_tokens} (column {@code max_tokens}); 0 to use
 *     the run's
 */
public record TraceEntry(
    long offsetNanos,
    Inputs inputs,
    OptionalDouble targetMillis,
    EndpointKind kind,
    int maxTokens) {
  /** The endpoint an empty {@code endpoint} means. */
  public static final String EMBEDDINGS = "/v1/embeddings";

  /** An embeddings entry. */
  public TraceEntry(long offsetNanos, Inputs inputs, OptionalDouble targetMillis) {
    this(offsetNanos, inputs, targetMillis, EndpointKind.EMBEDDINGS, 0);
  }

  public TraceEntry {
    java.util.Objects.requireNonNull(kind, "kind");
    if (maxTokens < 0) {
      throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
    }
    if (kind.generation() && inputs instanceof Texts t && t.texts().size() != 1) {
      throw new IllegalArgumentException(
          "a " + kind.label() + " entry takes one prompt, got " + t.texts().size());
    }
    if (offsetNanos < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offsetNanos + " ns");
    }
    double target = targetMillis.orElse(1);
    if (!(target > 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException(
          "target_ms must be > 0, got " + targetMillis.getAsDouble());
    }
  }

  /** A trace request's inputs: literal texts, or texts drawn from the run's text pool. */
  public sealed interface Inputs permits PerRequest, Count, Texts {}

  /** No inputs given: take {@code --inputs-per-request} texts from the run's pool, round-robin. */
  public record PerRequest() implements Inputs {}

  /**
   * Take {@code count} texts from the run's pool ({@code --text-file} or the built-in sentences),
   * round-robin.
   *
   * @param count one or more
   */
  public record Count(int count) implements Inputs {
    public Count {
      if (count < 1) {
        throw new IllegalArgumentException("inputs count must be >= 1, got " + count);
      }
    }
  }

  /**
   * Send these texts.
   *
   * @param texts one or more, none blank
   */
  public record Texts(List<String> texts) implements Inputs {
    public Texts {
      texts = List.copyOf(texts);
      if (texts.isEmpty() || texts.stream().anyMatch(String::isBlank)) {
        throw new IllegalArgumentException("inputs must be one or more non-blank texts");
      }
    }
  }
}
