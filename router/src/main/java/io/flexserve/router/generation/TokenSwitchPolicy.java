package io.flexserve.router.generation;

import java.util.List;
import java.util.Map;

/**
 * Token-level sub-network switching: whether a running generation with a time-per-output-token
 * target should move, between two tokens, to another sub-network that shares its KV layout ({@link
 * KvCompatibility}).
 *
 * <ul>
 *   <li><b>Step down</b> when the generation's recent inter-token time exceeds the target: to the
 *       most accurate faster compatible sub-network predicted to meet the target, or, when none is,
 *       the one predicted quickest, provided that beats staying (a row moving alone into an empty
 *       batch adds a whole step to every iteration).
 *   <li><b>Step up</b> when it is comfortably ahead: to the most accurate compatible sub-network
 *       whose predicted inter-token time, with this row moved into its batch, is at most {@code
 *       margin × target}.
 * </ul>
 *
 * A prediction starts from what is observed and adds what the move changes: the source batch's step
 * loses this row ({@code stepMs(rows) − stepMs(rows − 1)}, the whole step when it was alone) and
 * the destination's step gains it. So everything the profiles do not model (other batches,
 * sampling, HTTP) stays in the estimate. Load-time profiles tend to underestimate steps under load,
 * so the change is scaled by how much the observed time exceeds what the profiles give for the
 * current batches (never scaled down).
 *
 * <p>Hysteresis: no step up until {@code minTokens} inter-token times were seen on the current
 * sub-network (no step down until {@code minTokensDown}: falling behind is the costlier mistake, so
 * it is corrected sooner), and after a step down no step up for a hold period that doubles with
 * every step down of the generation, so a generation that keeps bouncing settles on the faster one.
 *
 * @param minTokens inter-token times observed on a sub-network before a step up
 * @param minTokensDown inter-token times observed on a sub-network before a step down (at most
 *     minTokens)
 * @param margin a step up needs its predicted inter-token time at most this fraction of the target
 * @param holdTokens tokens without a step up after the first step down (doubled each further step
 *     down)
 * @param maxHoldTokens bound on the hold
 */
public record TokenSwitchPolicy(
    int minTokens, int minTokensDown, double margin, int holdTokens, int maxHoldTokens)
    implements SwitchRule {
  public static final TokenSwitchPolicy DEFAULT = new TokenSwitchPolicy(4, 2, 0.8, 8, 128);

  public TokenSwitchPolicy {
    if (minTokens < 1
        || minTokensDown < 1
        || minTokensDown > minTokens
        || !(margin > 0 && margin <= 1)
        || holdTokens < 0
        || maxHoldTokens < holdTokens) {
      throw new IllegalArgumentException(
          "bad switch policy: minTokens "
              + minTokens
              + ", margin "
              + margin
              + ", hold "
              + holdTokens
              + "/"
              + maxHoldTokens);
    }
  }

  /**
   * What a generation has seen on its current sub-network.
   *
   * @param subnet where it runs now
   * @param recentTpotMs recent inter-token time there (e.g. an EWMA), NaN when unknown
   * @param tokensOnSubnet inter-token times observed there since it started or last moved
   * @param tokensSinceStepDown generated tokens since its last step down (large when none)
   * @param stepDowns step downs so far
   */
  public record State(
      String subnet,
      double recentTpotMs,
      int tokensOnSubnet,
      int tokensSinceStepDown,
      int stepDowns) {}

  /**
   * @param state the generation
   * @param tpotTargetMs its target now
   * @param compatible the sub-networks sharing its KV layout (the current one included), most
   *     accurate first
   * @param rowsPerSubnet rows in each batch now (this generation counted in its current one)
   * @return where to move, or null to stay
   */
  public String decide(
      State state,
      double tpotTargetMs,
      List<DecoderProfile> compatible,
      Map<String, Integer> rowsPerSubnet) {
    return decide(state, tpotTargetMs, compatible, rowsPerSubnet, 1);
  }

  /**
   * As {@link #decide(State, double, List, Map)}, predicting for {@code moving} rows of the current
   * batch (this one among them) moving together: a whole batch moving up does not pay for two
   * batches' steps, as a single row moving alone would.
   */
  @Override
  public String decide(
      State state,
      double tpotTargetMs,
      List<DecoderProfile> compatible,
      Map<String, Integer> rowsPerSubnet,
      int moving) {
    if (compatible.size() < 2
        || state.tokensOnSubnet() < minTokensDown
        || Double.isNaN(state.recentTpotMs())) {
      return null;
    }
    DecoderProfile current = null;
    int currentIndex = -1;
    for (int i = 0; i < compatible.size(); i++) {
      if (compatible.get(i).name().equals(state.subnet())) {
        current = compatible.get(i);
        currentIndex = i;
      }
    }
    if (current == null) {
      return null;
    }
    int rows = Math.max(1, rowsPerSubnet.getOrDefault(current.name(), 1));
    int m = Math.max(1, Math.min(moving, rows));
    double modelled = 0;
    for (DecoderProfile p : compatible) {
      modelled += p.stepMs(p == current ? rows : rowsPerSubnet.getOrDefault(p.name(), 0));
    }
    double scale = modelled > 0 ? Math.max(1, state.recentTpotMs() / modelled) : 1;
    double without =
        state.recentTpotMs() - scale * (current.stepMs(rows) - current.stepMs(rows - m));
    if (state.recentTpotMs() > tpotTargetMs) {
      DecoderProfile quickest = null;
      double quickestMs = state.recentTpotMs();
      for (DecoderProfile p : compatible) {
        if (p.decodeMs() >= current.decodeMs()) {
          continue;
        }
        double ms = predicted(without, p, rowsPerSubnet, m, scale);
        if (ms <= tpotTargetMs) {
          return p.name(); // most accurate first: the first faster one that fits
        }
        if (ms < quickestMs) {
          quickest = p;
          quickestMs = ms;
        }
      }
      return quickest == null
          ? null
          : quickest.name(); // none fits: the one predicted quickest, if it helps at all
    }
    if (state.tokensOnSubnet() < minTokens) {
      return null;
    }
    long hold =
        state.stepDowns() == 0
            ? 0
            : Math.min(
                (long) maxHoldTokens, (long) holdTokens << Math.min(30, state.stepDowns() - 1));
    if (state.tokensSinceStepDown() < hold) {
      return null;
    }
    for (int i = 0; i < currentIndex; i++) {
      DecoderProfile p = compatible.get(i);
      if (predicted(without, p, rowsPerSubnet, m, scale) <= margin * tpotTargetMs) {
        return p.name();
      }
    }
    return null;
  }

  /**
   * Inter-token time predicted with {@code m} rows moved into {@code p}'s batch, from what it is
   * without them.
   */
  private static double predicted(
      double withoutRows,
      DecoderProfile p,
      Map<String, Integer> rowsPerSubnet,
      int m,
      double scale) {
    int rows = rowsPerSubnet.getOrDefault(p.name(), 0);
    return withoutRows + scale * (p.stepMs(rows + m) - p.stepMs(rows));
  }
}
