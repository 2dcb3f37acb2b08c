package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantilesTest {

  private static final double[] ONE_TO_TEN_SCRAMBLED = {7, 3, 10, 1, 9, 2, 8, 5, 4, 6};

  @Test
  void quantile_p90OfTen_isNinthSmallest() {
    assertEquals(9.0, Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, 0.9));
  }

  @Test
  void quantile_p50OfTen_isLowerMedian() {
    assertEquals(5.0, Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, 0.5));
  }

  @Test
  void quantile_rankWithFloatingPointNoise_isNotBumpedUp() {
    double[] oneToHundred = new double[100];
    for (int i = 0; i < 100; i++) {
      oneToHundred[i] = 100 - i;
    }
    // 0.55 * 100 == 55.00000000000001 in double; a naive ceil would give the 56th value.
    assertEquals(56.0, Math.ceil(0.55 * 100));
    assertEquals(55.0, Quantiles.quantile(oneToHundred, 0.55));
    assertEquals(7.0, Quantiles.quantile(oneToHundred, 0.07));
  }

  @Test
  void quantile_justAboveARank_roundsUpToNextValue() {
    assertEquals(10.0, Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, 0.91));
  }

  @Test
  void quantile_zero_isMinimum() {
    assertEquals(1.0, Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, 0));
  }

  @Test
  void quantile_one_isMaximum() {
    assertEquals(10.0, Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, 1));
  }

  @Test
  void quantile_singleValue_isThatValueForAnyQ() {
    assertEquals(4.5, Quantiles.quantile(new double[] {4.5}, 0));
    assertEquals(4.5, Quantiles.quantile(new double[] {4.5}, 0.99));
  }

  @Test
  void quantile_doesNotModifyInput() {
    double[] values = ONE_TO_TEN_SCRAMBLED.clone();
    Quantiles.quantile(values, 0.9);
    assertArrayEquals(ONE_TO_TEN_SCRAMBLED, values);
  }

  @Test
  void quantile_empty_throws() {
    assertThrows(IllegalArgumentException.class, () -> Quantiles.quantile(new double[0], 0.5));
  }

  @Test
  void quantile_nanValue_throws() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Quantiles.quantile(new double[] {1, Double.NaN, 2}, 0.5));
  }

  @Test
  void quantile_qOutOfRange_throwsNamingValue() {
    var above =
        assertThrows(
            IllegalArgumentException.class, () -> Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, 1.5));
    assertTrue(above.getMessage().contains("1.5"), above.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, -0.1));
    assertThrows(
        IllegalArgumentException.class, () -> Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, Double.NaN));
  }

  @Test
  void quantile_null_throwsNpe() {
    assertThrows(NullPointerException.class, () -> Quantiles.quantile(null, 0.5));
  }

  @Test
  void ofSorted_agreesWithQuantile_onTheSortedCopy() {
    double[] sorted = ONE_TO_TEN_SCRAMBLED.clone();
    java.util.Arrays.sort(sorted);
    for (double q : new double[] {0, 0.1, 0.5, 0.55, 0.9, 0.99, 1}) {
      assertEquals(
          Quantiles.quantile(ONE_TO_TEN_SCRAMBLED, q), Quantiles.ofSorted(sorted, q), q + "");
    }
    assertThrows(IllegalArgumentException.class, () -> Quantiles.ofSorted(new double[0], 0.5));
  }

  @Test
  void ofSorted_onAPrefix_ignoresTheRestOfTheArray() {
    double[] prefix = {1, 2, 3, 4, 99, -5}; // the first four are the sample
    assertEquals(4, Quantiles.ofSorted(prefix, 4, 1));
    assertEquals(2, Quantiles.ofSorted(prefix, 4, 0.5));
    assertEquals(1, Quantiles.ofSorted(prefix, 4, 0));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.ofSorted(prefix, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.ofSorted(prefix, 7, 0.5));
  }
}
