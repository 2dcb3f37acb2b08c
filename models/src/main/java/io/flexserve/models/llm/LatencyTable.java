package io.flexserve.models.llm;

import java.util.Arrays;

/**
 * Measured decode latency of a decoder's parts on this machine, the cost model of the
 * conversion-time menu search: a base (embedding, final norm, LM head, per-step overhead) plus, per
 * kept layer, a cost that depends on its kept KV groups and MLP width. Layers of one model have the
 * same shape, so one table serves every layer.
 *
 * @param baseMillis one decode step of a sub-network with no layers
 * @param groups KV-group counts measured, ascending
 * @param widths MLP widths measured, ascending
 * @param perLayerMillis {@code [groups][widths]}: one layer's share of a decode step
 */
public record LatencyTable(
    double baseMillis, int[] groups, int[] widths, double[][] perLayerMillis) {
  public LatencyTable {
    if (perLayerMillis.length != groups.length
        || Arrays.stream(perLayerMillis).anyMatch(r -> r.length != widths.length)) {
      throw new IllegalArgumentException(
          "latency table is not " + groups.length + " × " + widths.length);
    }
  }

  /**
   * Estimated decode-step milliseconds of {@code subnet}; every layer's shape must be a measured
   * grid point.
   */
  public double estimate(DecoderSubnet subnet) {
    double total = baseMillis;
    for (DecoderSubnet.Layer l : subnet.layers()) {
      total += perLayerMillis[indexOf(groups, l.kvGroups())][indexOf(widths, l.mlpWidth())];
    }
    return total;
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        value + " is not a measured point of " + Arrays.toString(values));
  }
}
