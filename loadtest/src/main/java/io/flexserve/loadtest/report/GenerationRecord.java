package io.flexserve.loadtest.report;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a completions or chat request produced, beyond its status and latency.
 *
 * @param streamed whether the response was a server-sent event stream
 * @param ttftMillis time to first token: from the intended send time (as the end-to-end latency) to
 *     the arrival of the first chunk carrying text, milliseconds; NaN when not streamed or no text
 *     arrived
 * @param interTokenMillis times between consecutive text chunks, milliseconds, in arrival order;
 *     empty when not streamed. The server sends one chunk per decoded piece of text, usually one
 *     token
 * @param textChunks chunks that carried text; 0 when not streamed
 * @param tokens generated tokens: {@code usage.completion_tokens}, else the sum of {@code
 *     flexserve.tokens_per_subnet}, else the text chunks; -1 when unknown
 * @param subnets the sub-networks that produced the text, in order of first use (stream chunks'
 *     {@code flexserve.subnet}, else {@code tokens_per_subnet}'s names, else {@code X-Subnet}); may
 *     be empty
 * @param finishReason {@code length}, {@code stop}, ..., or {@code error} for an error event inside
 *     a stream; empty when none arrived
 * @param serverTtftMillis the server's own time to first token ({@code flexserve.ttft_ms} or {@code
 *     X-TTFT-Ms}), milliseconds; NaN when absent
 */
public record GenerationRecord(
    boolean streamed,
    double ttftMillis,
    double[] interTokenMillis,
    int textChunks,
    int tokens,
    List<String> subnets,
    String finishReason,
    double serverTtftMillis) {
  /** Not a generation request. */
  public static final GenerationRecord NONE =
      new GenerationRecord(false, Double.NaN, new double[0], 0, -1, List.of(), "", Double.NaN);

  public GenerationRecord {
    interTokenMillis = interTokenMillis.clone();
    subnets = List.copyOf(subnets);
    Objects.requireNonNull(finishReason, "finishReason");
  }

  @Override
  public double[] interTokenMillis() {
    return interTokenMillis.clone();
  }

  /** The number of inter-token gaps, without copying them. */
  public int interTokenCount() {
    return interTokenMillis.length;
  }

  /** Gap {@code i}, milliseconds. */
  public double interTokenMillis(int i) {
    return interTokenMillis[i];
  }

  /** Mean inter-token time, milliseconds; NaN when there is no gap. */
  public double meanInterTokenMillis() {
    return interTokenMillis.length == 0
        ? Double.NaN
        : Arrays.stream(interTokenMillis).average().orElse(Double.NaN);
  }

  /** Largest inter-token time, milliseconds; NaN when there is no gap. */
  public double maxInterTokenMillis() {
    return interTokenMillis.length == 0
        ? Double.NaN
        : Arrays.stream(interTokenMillis).max().orElse(Double.NaN);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationRecord g
        && streamed == g.streamed
        && Double.compare(ttftMillis, g.ttftMillis) == 0
        && Arrays.equals(interTokenMillis, g.interTokenMillis)
        && textChunks == g.textChunks
        && tokens == g.tokens
        && subnets.equals(g.subnets)
        && finishReason.equals(g.finishReason)
        && Double.compare(serverTtftMillis, g.serverTtftMillis) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        streamed,
        ttftMillis,
        Arrays.hashCode(interTokenMillis),
        textChunks,
        tokens,
        subnets,
        finishReason,
        serverTtftMillis);
  }

  @Override
  public String toString() {
    return "GenerationRecord[streamed="
        + streamed
        + ", ttftMillis="
        + ttftMillis
        + ", gaps="
        + interTokenMillis.length
        + ", textChunks="
        + textChunks
        + ", tokens="
        + tokens
        + ", subnets="
        + subnets
        + ", finishReason="
        + finishReason
        + "]";
  }
}
