package io.flexserve.router.generation;

/**
 * What a generation request asked for, each optional (null = no target).
 *
 * @param totalMs whole request: first token plus every further token ({@code X-Latency-Target-Ms})
 * @param ttftMs time to first token ({@code X-TTFT-Target-Ms})
 * @param tpotMs time per output token after the first ({@code X-TPOT-Target-Ms})
 */
public record GenerationTargets(Double totalMs, Double ttftMs, Double tpotMs) {
  public static final GenerationTargets NONE = new GenerationTargets(null, null, null);

  public boolean any() {
    return totalMs != null || ttftMs != null || tpotMs != null;
  }
}
