package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeadlinePolicyTest {

  @Test
  void parse_strictInAnyCaseAndPadding_isStrict() {
    assertEquals(DeadlinePolicy.STRICT, DeadlinePolicy.parse("strict"));
    assertEquals(DeadlinePolicy.STRICT, DeadlinePolicy.parse("STRICT"));
    assertEquals(DeadlinePolicy.STRICT, DeadlinePolicy.parse(" Strict\t"));
  }

  @Test
  void parse_bestEffortInAnyCase_isBestEffort() {
    assertEquals(DeadlinePolicy.BEST_EFFORT, DeadlinePolicy.parse("best-effort"));
    assertEquals(DeadlinePolicy.BEST_EFFORT, DeadlinePolicy.parse("Best-Effort"));
  }

  @Test
  void parse_absentHeader_isBestEffort() {
    assertEquals(DeadlinePolicy.BEST_EFFORT, DeadlinePolicy.parse(null));
    assertEquals(DeadlinePolicy.BEST_EFFORT, DeadlinePolicy.parse(""));
    assertEquals(DeadlinePolicy.BEST_EFFORT, DeadlinePolicy.parse("   "));
  }

  @Test
  void parse_unknownValue_throwsNamingValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> DeadlinePolicy.parse("lenient"));
    assertTrue(e.getMessage().contains("'lenient'"), e.getMessage());
  }

  @Test
  void parse_enumConstantSpelling_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> DeadlinePolicy.parse("BEST_EFFORT"));
  }

  @Test
  void headerValue_roundTripsThroughParse() {
    for (DeadlinePolicy policy : DeadlinePolicy.values()) {
      assertEquals(policy, DeadlinePolicy.parse(policy.headerValue()));
    }
    assertEquals("best-effort", DeadlinePolicy.BEST_EFFORT.headerValue());
    assertEquals("strict", DeadlinePolicy.STRICT.headerValue());
  }
}
