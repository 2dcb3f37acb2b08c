package io.flexserve.router.generation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Token-level switching for one iteration of the generation loop: given a snapshot of every batch
 * and its rows, which rows move to which sub-network before the next steps. A pure function of its
 * arguments (the time arrives as {@code nowNanos}); the scheduler applies the plan and owns the
 * rows.
 *
 * <p>Which rows may move: those with a pace ({@link GenerationTargets#paced}: a TPOT target or a
 * total one), not pinned with {@code X-Subnet}, not cancelled, and with another sub-network sharing
 * their KV layout. Each such row is paced by {@link GenerationTargets#tpotTargetMs} and judged by
 * the {@link SwitchRule} (normally {@link TokenSwitchPolicy}).
 *
 * <p>How batches move, batch by batch in the order given (menu order):
 *
 * <ul>
 *   <li><b>Together.</b> A batch of two or more rows that may all move is first judged as moving
 *       together ({@code moving} = its size). If any row wants a step down, all go to the quickest
 *       of those step downs; if every row wants a step up, all go to the least ambitious of those.
 *       A batch split in two pays two steps per iteration, so keeping it whole is worth it.
 *   <li><b>Alone.</b> Otherwise each row that may move is judged alone. Any number step down, but
 *       at most one row steps up alone per iteration: each prediction assumed the others stay.
 * </ul>
 *
 * A row moves at most once per iteration. Later decisions see earlier moves: the row counts per
 * sub-network follow each move, and a moved row joins its new batch (with its observations reset,
 * as the scheduler resets them) in case that batch is judged later in the same iteration.
 */
public final class SwitchPlanner {
  private final SwitchRule rule;

  public SwitchPlanner(SwitchRule rule) {
    this.rule = rule;
  }

  /**
   * One running generation, as the scheduler sees it between two iterations.
   *
   * @param id the scheduler's id for it, echoed in {@link SwitchPlan.Move#row}
   * @param pinned chosen with {@code X-Subnet}: it never moves
   * @param cancelled its client went away: it leaves at the next step and does not move
   * @param targets what the request asked for
   * @param arrivalNanos when the request arrived, on the clock {@code nowNanos} is read from
   * @param tokensLeft tokens it may still generate (max tokens − generated)
   * @param compatible the sub-networks its cache is valid on (its current one included, and only
   *     those at its EoRA rank when it asked for one), most accurate first; one entry (or none)
   *     when it cannot move
   * @param recentTpotMs recent inter-token time on its current sub-network, NaN before the first
   * @param tokensOnSubnet inter-token times seen on its current sub-network
   * @param tokensSinceStepDown tokens generated since its last step down (large when none)
   * @param stepDowns step downs so far
   */
  public record Row(
      long id,
      boolean pinned,
      boolean cancelled,
      GenerationTargets targets,
      long arrivalNanos,
      int tokensLeft,
      List<DecoderProfile> compatible,
      double recentTpotMs,
      int tokensOnSubnet,
      int tokensSinceStepDown,
      int stepDowns) {
    public Row {
      compatible = List.copyOf(compatible);
    }

    /** Whether this row may change sub-network at all (the rule still decides whether it does). */
    public boolean mayMove() {
      return !pinned && !cancelled && targets.paced() && compatible.size() >= 2;
    }

    /** Its time-per-token target at {@code nowNanos}, in ms. */
    public double tpotTargetMs(long nowNanos) {
      return targets.tpotTargetMs((nowNanos - arrivalNanos) / 1e6, tokensLeft);
    }

    TokenSwitchPolicy.State state(String subnet) {
      return new TokenSwitchPolicy.State(
          subnet, recentTpotMs, tokensOnSubnet, tokensSinceStepDown, stepDowns);
    }

    DecoderProfile reachable(String subnet) {
      for (DecoderProfile p : compatible) {
        if (p.name().equals(subnet)) {
          return p;
        }
      }
      return null;
    }

    /** This row just after moving: nothing observed on the new sub-network yet. */
    Row moved(boolean down) {
      return new Row(
          id,
          pinned,
          cancelled,
          targets,
          arrivalNanos,
          tokensLeft,
          compatible,
          Double.NaN,
          0,
          down ? 0 : tokensSinceStepDown,
          down ? stepDowns + 1 : stepDowns);
    }
  }

  /**
   * One sub-network's batch.
   *
   * @param profile the sub-network
   * @param rows its rows, in the scheduler's order
   */
  public record Batch(DecoderProfile profile, List<Row> rows) {
    public Batch {
      rows = List.copyOf(rows);
    }
  }

  /**
   * Plans this iteration's moves.
   *
   * @param batches every batch of the model (empty ones included), in menu order
   * @param nowNanos the time now, on the clock the rows' arrival times were read from
   * @return the moves, in the order to apply them
   */
  public SwitchPlan plan(List<Batch> batches, long nowNanos) {
    Map<String, List<Row>> rows = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Batch b : batches) {
      rows.put(b.profile().name(), new ArrayList<>(b.rows()));
      counts.put(b.profile().name(), b.rows().size());
    }
    List<SwitchPlan.Move> moves = new ArrayList<>();
    Set<Long> moved = new HashSet<>();
    boolean steppedUp = false;
    for (Batch b : batches) {
      DecoderProfile from = b.profile();
      List<Row> all = List.copyOf(rows.get(from.name()));
      String together = all.size() >= 2 ? together(from, all, counts, nowNanos) : null;
      for (Row row : all) {
        if (!row.mayMove() || moved.contains(row.id())) {
          continue;
        }
        String to =
            together != null
                ? together
                : rule.decide(
                    row.state(from.name()),
                    row.tpotTargetMs(nowNanos),
                    row.compatible(),
                    Map.copyOf(counts),
                    1);
        DecoderProfile target = to == null ? null : row.reachable(to);
        if (target == null || to.equals(from.name())) {
          continue;
        }
        boolean down = target.decodeMs() < from.decodeMs();
        if (!down && steppedUp && together == null) {
          continue; // one step up alone per iteration: each prediction assumed the others stay
        }
        steppedUp |= !down;
        moves.add(new SwitchPlan.Move(row.id(), from.name(), to, down));
        moved.add(row.id());
        rows.get(from.name()).remove(row);
        rows.computeIfAbsent(to, k -> new ArrayList<>()).add(row.moved(down));
        counts.merge(from.name(), -1, Integer::sum);
        counts.merge(to, 1, Integer::sum);
      }
    }
    return moves.isEmpty() ? SwitchPlan.NONE : new SwitchPlan(moves);
  }

  /**
   * Where the whole batch {@code all} (two rows or more, on {@code from}) moves together, or null
   * for "judge its rows alone".
   */
  private String together(
      DecoderProfile from, List<Row> all, Map<String, Integer> counts, long nowNanos) {
    DecoderProfile down = null;
    DecoderProfile up = null;
    boolean allUp = true;
    for (Row row : all) {
      if (!row.mayMove()) {
        return null;
      }
      String to =
          rule.decide(
              row.state(from.name()),
              row.tpotTargetMs(nowNanos),
              row.compatible(),
              Map.copyOf(counts),
              all.size());
      DecoderProfile target = to == null ? null : row.reachable(to);
      if (target == null || to.equals(from.name())) {
        allUp = false;
        continue;
      }
      if (target.decodeMs() < from.decodeMs()) {
        allUp = false;
        if (down == null || target.decodeMs() < down.decodeMs()) {
          down = target;
        }
      } else if (up == null || target.decodeMs() < up.decodeMs()) {
        up = target;
      }
    }
    DecoderProfile chosen = down != null ? down : allUp ? up : null;
    return chosen == null ? null : chosen.name();
  }
}
