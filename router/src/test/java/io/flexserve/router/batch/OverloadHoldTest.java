package io.flexserve.router.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OverloadHoldTest {

  @Test
  void aRefusal_holdsTheQueueSpread_forTheHoldThenLetsGo() {
    OverloadHold hold = new OverloadHold(1000);
    assertEquals(Admission.Spread.OWN_RUN, hold.spread(0), "no refusal yet");
    hold.refused(100);
    assertEquals(Admission.Spread.QUEUE, hold.spread(100));
    assertEquals(Admission.Spread.QUEUE, hold.spread(1100));
    assertEquals(Admission.Spread.OWN_RUN, hold.spread(1100.5));
    hold.refused(1500);
    hold.refused(1200); // a late report of an earlier refusal does not shorten the hold
    assertEquals(Admission.Spread.QUEUE, hold.spread(2400));
    assertEquals(Admission.Spread.OWN_RUN, hold.spread(2501));
  }

  @Test
  void holdZero_neverCountsTheQueue() {
    OverloadHold off = new OverloadHold(0);
    off.refused(10);
    assertEquals(Admission.Spread.OWN_RUN, off.spread(10));
  }

  @Test
  void badHold_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OverloadHold(-1));
    assertThrows(IllegalArgumentException.class, () -> new OverloadHold(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new OverloadHold(Double.POSITIVE_INFINITY));
  }
}
