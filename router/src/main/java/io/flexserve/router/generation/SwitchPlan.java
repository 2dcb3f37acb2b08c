package io.flexserve.router.generation;

import java.util.List;

/**
 * This iteration's token-level moves, in the order the scheduler applies them: each takes one row
 * out of its batch (its KV cache copied) and into another batch sharing its KV layout. Empty when
 * every row stays.
 *
 * @param moves at most one per row
 */
public record SwitchPlan(List<Move> moves) {
  public static final SwitchPlan NONE = new SwitchPlan(List.of());

  public SwitchPlan {
    moves = List.copyOf(moves);
  }

  /**
   * One row's move.
   *
   * @param row the row's id, as in {@link SwitchPlanner.Row#id}
   * @param from the sub-network it decodes on now
   * @param to the sub-network it decodes on from the next step
   * @param down whether {@code to} is faster (smaller single-row step) than {@code from}: a step
   *     down, after which the row holds off stepping up for a while
   */
  public record Move(long row, String from, String to, boolean down) {}

  public boolean isEmpty() {
    return moves.isEmpty();
  }
}
