package io.flexserve.convert.llm;

import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.LatencyTable;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the conversion's menu search gets its latency estimates (step 4 of {@link
 * ElasticDecoderConverter}).
 */
public enum LatencyModel {
  /**
   * Time a decode step with no layers, then with every layer at each (KV groups, MLP width) grid
   * point, on the converting machine. The menu then fits this machine's latency, fixed per-step
   * overhead included; but on a small model, where that overhead is most of a step, timing noise
   * decides whether a tight budget fits at all.
   */
  MEASURED,

  /**
   * Time the full model once and split that time over its parts in proportion to the weight floats
   * each reads per decode step ({@link DecoderSubnet#weightFloatsPerToken}). Decoding one token is
   * bound by reading the weights, so on a model large enough to matter this tracks the measured
   * table; it ignores fixed per-step overhead. Which sub-networks fit a budget then no longer
   * depends on timing noise or on the machine that converts.
   */
  WEIGHTS;

  /**
   * The table {@link #WEIGHTS} describes: {@code fullMillis} shared out by weight floats, so that
   * the estimate of the full model is {@code fullMillis} and any sub-network's is the same fraction
   * of it as its weight floats are of full's.
   */
  static LatencyTable byWeights(LlamaConfig c, double fullMillis, int[] groups, int[] widths) {
    double millisPerFloat =
        fullMillis / DecoderSubnet.full(c).weightFloatsPerToken(c); // of a decode step
    long base = new DecoderSubnet("base", List.of()).weightFloatsPerToken(c);
    double[][] perLayer = new double[groups.length][widths.length];
    for (int gi = 0; gi < groups.length; gi++) {
      for (int wi = 0; wi < widths.length; wi++) {
        List<DecoderSubnet.Layer> one = new ArrayList<>();
        one.add(new DecoderSubnet.Layer(0, groups[gi], widths[wi]));
        long layer = new DecoderSubnet("one", one).weightFloatsPerToken(c) - base;
        perLayer[gi][wi] = layer * millisPerFloat;
      }
    }
    return new LatencyTable(base * millisPerFloat, groups, widths, perLayer);
  }
}
