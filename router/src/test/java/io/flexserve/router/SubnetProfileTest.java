package io.flexserve.router;

import static io.flexserve.router.MenuFixtures.curve;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubnetProfileTest {

  private static final LatencyCurve CURVE = curve(128, 4, 512, 16);

  private static void assertRejected(String expectedInMessage, Runnable construction) {
    var e = assertThrows(IllegalArgumentException.class, construction::run);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void new_boundaryValues_areAccepted() {
    SubnetProfile full = new SubnetProfile("full", 1.0, 1.0, CURVE);
    SubnetProfile useless = new SubnetProfile("tiny", Double.MIN_VALUE, 0.0, CURVE);
    assertEquals(1.0, full.relativeSize());
    assertEquals(0.0, useless.quality());
  }

  @Test
  void predictMillis_delegatesToCurve() {
    assertEquals(10.0, new SubnetProfile("s", 0.5, 0.9, CURVE).predictMillis(320));
  }

  @Test
  void new_blankName_throws() {
    assertRejected("blank", () -> new SubnetProfile("  ", 0.5, 0.9, CURVE));
  }

  @Test
  void new_nullNameOrCurve_throwsNpe() {
    assertThrows(NullPointerException.class, () -> new SubnetProfile(null, 0.5, 0.9, CURVE));
    assertThrows(NullPointerException.class, () -> new SubnetProfile("s", 0.5, 0.9, null));
  }

  @Test
  void new_zeroRelativeSize_throwsNamingValueAndSubnet() {
    assertRejected(
        "relativeSize must be in (0, 1], got 0.0 for subnet 'half'",
        () -> new SubnetProfile("half", 0, 0.9, CURVE));
  }

  @Test
  void new_relativeSizeAboveOne_throwsNamingValue() {
    assertRejected("got 1.5", () -> new SubnetProfile("big", 1.5, 0.9, CURVE));
  }

  @Test
  void new_nanRelativeSize_throws() {
    assertRejected("NaN", () -> new SubnetProfile("s", Double.NaN, 0.9, CURVE));
  }

  @Test
  void new_qualityOutOfRange_throwsNamingValue() {
    assertRejected(
        "quality must be in [0, 1], got -0.1", () -> new SubnetProfile("s", 0.5, -0.1, CURVE));
    assertRejected("got 1.01", () -> new SubnetProfile("s", 0.5, 1.01, CURVE));
    assertRejected("NaN", () -> new SubnetProfile("s", 0.5, Double.NaN, CURVE));
  }
}
