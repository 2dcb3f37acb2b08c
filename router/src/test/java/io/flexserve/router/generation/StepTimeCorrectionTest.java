package io.flexserve.router.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepTimeCorrectionTest {
  @Test
  void convergesToTheObservedRatioAndScalesProfiles() {
    StepTimeCorrection c = new StepTimeCorrection();
    assertEquals(1.0, c.factor());
    for (int i = 0; i < 50; i++) {
      // the router predicts with the corrected profile: 10 ms × factor; reality is always 30 ms
      c.observe(10 * c.factor(), 30);
    }
    assertEquals(3.0, c.factor(), 0.01);
    DecoderProfile p = c.apply(List.of(new DecoderProfile("full", 1, 10, 2, 5))).get(0);
    assertEquals(30, p.decodeMs(), 0.1);
    assertEquals(6, p.decodeMsPerExtraRow(), 0.05);
    assertEquals(3, p.prefillMsPerToken(), 0.01);
    assertEquals(5, p.perplexity());
  }

  @Test
  void outliersAreClampedAndNonsenseIgnored() {
    StepTimeCorrection c = new StepTimeCorrection();
    c.observe(1, 1000);
    assertEquals(8, c.factor());
    c.observe(0, 5);
    c.observe(5, Double.NaN);
    assertEquals(8, c.factor());
  }
}
