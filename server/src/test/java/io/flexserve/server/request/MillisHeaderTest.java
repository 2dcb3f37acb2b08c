package io.flexserve.server.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MillisHeaderTest {
  @Test
  void threeDecimalsWithADot() {
    assertEquals("0.000", MillisHeader.format(0));
    assertEquals("0.050", MillisHeader.format(0.05));
    assertEquals("0.007", MillisHeader.format(0.0071));
    assertEquals("12.346", MillisHeader.format(12.3456));
    assertEquals("1234567.891", MillisHeader.format(1234567.891));
    assertEquals("-2.500", MillisHeader.format(-2.5));
    assertEquals("NaN", MillisHeader.format(Double.NaN));
    assertEquals("Infinity", MillisHeader.format(Double.POSITIVE_INFINITY));
  }

  @Test
  void agreesWithStringFormatExceptOnDecimalTies() {
    SplittableRandom random = new SplittableRandom(19);
    for (int i = 0; i < 100_000; i++) {
      double ms = random.nextDouble() * Math.pow(10, random.nextInt(-4, 7));
      String ours = MillisHeader.format(ms);
      String format = String.format(Locale.ROOT, "%.3f", ms);
      assertTrue(ours.matches("\\d+\\.\\d{3}"), ours);
      if (!ours.equals(format)) {
        // String.format rounds the shortest decimal half up, this the binary value: they part
        // only where the thousandths end in a 5 that binary cannot hold exactly
        double thousandths = ms * 1000;
        assertEquals(
            0.5, thousandths - Math.floor(thousandths), 1e-6, ms + ": " + ours + " vs " + format);
      }
    }
  }
}
