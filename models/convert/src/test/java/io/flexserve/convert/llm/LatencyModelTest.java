package io.flexserve.convert.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.LatencyTable;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The weight-proportional table: full's measured time shared out by the weights each part reads.
 */
class LatencyModelTest {
  // 4 layers, 4 heads in 2 KV groups of 16 dims, MLP 128, vocabulary 300
  final LlamaConfig config =
      new LlamaConfig(
          "llama", 64, 128, 4, 4, 2, 16, 300, 256, 1e-5, 10000, null, false, 1, List.of(2));
  final int[] groups = {1, 2};
  final int[] widths = ElasticDecoderConverter.widthGrid(128);
  final LatencyTable table = LatencyModel.byWeights(config, 2.0, groups, widths);
  final double fullFloats = DecoderSubnet.full(config).weightFloatsPerToken(config);

  @Test
  void fullIsEstimatedAtItsMeasuredTime() {
    assertEquals(2.0, table.estimate(DecoderSubnet.full(config)), 1e-12);
  }

  @Test
  void everySubnetCostsItsShareOfFullsWeights() {
    for (int g : groups) {
      for (int w : widths) {
        for (List<Integer> skipped : List.of(List.<Integer>of(), List.of(1), List.of(0, 2, 3))) {
          DecoderSubnet s = DecoderSubnet.uniform("s", config, g / 2.0, w / 128.0, skipped);
          double share = s.weightFloatsPerToken(config) / fullFloats;
          assertEquals(2.0 * share, table.estimate(s), 1e-9, s.layers().toString());
        }
      }
    }
  }

  @Test
  void aSmallerLayerNeverCostsMore() {
    double[][] perLayer = table.perLayerMillis();
    for (int gi = 0; gi < groups.length; gi++) {
      for (int wi = 0; wi < widths.length; wi++) {
        assertTrue(perLayer[gi][wi] > 0);
        if (wi > 0) {
          assertTrue(perLayer[gi][wi] > perLayer[gi][wi - 1]);
        }
        if (gi > 0) {
          assertTrue(perLayer[gi][wi] > perLayer[gi - 1][wi]);
        }
      }
    }
    // the embedding row, final norm and LM head: read whatever the layers are
    assertTrue(table.baseMillis() > 0 && table.baseMillis() < 2.0);
  }
}
