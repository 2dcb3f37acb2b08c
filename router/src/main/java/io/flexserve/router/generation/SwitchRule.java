package io.flexserve.router.generation;

import java.util.List;
import java.util.Map;

/**
 * Where one row should go between two tokens, judged on its own; {@link TokenSwitchPolicy} is the
 * real rule, and tests substitute deterministic ones. {@link SwitchPlanner} asks it for every row
 * that may move and turns the answers into one plan per iteration.
 */
@FunctionalInterface
public interface SwitchRule {
  /**
   * @param state what the row has seen on its current sub-network
   * @param tpotTargetMs its time-per-token target now ({@link GenerationTargets#tpotTargetMs})
   * @param compatible the sub-networks sharing its KV layout (its current one included), most
   *     accurate first
   * @param rowsPerSubnet rows in each batch now (this row counted in its current one)
   * @param moving rows of the current batch judged as moving together (this one among them)
   * @return the sub-network to move to, or null to stay
   */
  String decide(
      TokenSwitchPolicy.State state,
      double tpotTargetMs,
      List<DecoderProfile> compatible,
      Map<String, Integer> rowsPerSubnet,
      int moving);
}
