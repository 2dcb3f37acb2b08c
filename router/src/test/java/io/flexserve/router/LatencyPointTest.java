package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyPointTest {

  @Test
  void new_zeroMillis_isAccepted() {
    assertEquals(0.0, new LatencyPoint(1, 0).millis());
  }

  @Test
  void new_zeroTokens_throwsNamingValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LatencyPoint(0, 1));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }

  @Test
  void new_negativeTokens_throwsNamingValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LatencyPoint(-3, 1));
    assertTrue(e.getMessage().contains("-3"), e.getMessage());
  }

  @Test
  void new_negativeMillis_throwsNamingValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LatencyPoint(8, -0.5));
    assertTrue(e.getMessage().contains("-0.5"), e.getMessage());
  }

  @Test
  void new_nanMillis_throws() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LatencyPoint(8, Double.NaN));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void new_infiniteMillis_throws() {
    assertThrows(
        IllegalArgumentException.class, () -> new LatencyPoint(8, Double.POSITIVE_INFINITY));
  }
}
