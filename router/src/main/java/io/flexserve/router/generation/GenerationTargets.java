package io.flexserve.router.generation;

/**
 * What a generation request asked for, each optional (null = no target). This record is the one
 * place the targets are interpreted: the router's admission prediction and the scheduler's verdict
 * both ask {@link #metBy}, and token-level switching paces each row by {@link #tpotTargetMs}.
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

  /**
   * Whether the targets set a pace per token (a TPOT target, or a total one that leaves some time
   * per remaining token), so the generation may change sub-network between tokens to keep it.
   */
  public boolean paced() {
    return tpotMs != null || totalMs != null;
  }

  /**
   * The time per output token the generation should keep now, in ms: its TPOT target, or what its
   * total target leaves per remaining token, whichever is tighter; infinite when it has neither.
   *
   * @param elapsedMs time since the request arrived
   * @param tokensLeft tokens it may still generate; at 0 or below the total target is ignored (no
   *     token left to divide the time over)
   */
  public double tpotTargetMs(double elapsedMs, int tokensLeft) {
    double target = tpotMs == null ? Double.POSITIVE_INFINITY : tpotMs;
    if (totalMs != null && tokensLeft > 0) {
      target = Math.min(target, (totalMs - elapsedMs) / tokensLeft);
    }
    return target;
  }

  /**
   * Whether times (predicted or observed) meet every given target; a NaN time meets no target set
   * on it.
   *
   * @param ttftMs time to first token
   * @param tpotMs mean time per output token after the first
   * @param totalMs first token plus every further token
   */
  public boolean metBy(double ttftMs, double tpotMs, double totalMs) {
    return (this.totalMs == null || totalMs <= this.totalMs)
        && (this.ttftMs == null || ttftMs <= this.ttftMs)
        && (this.tpotMs == null || tpotMs <= this.tpotMs);
  }
}
