package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyCurveTest {

  private static LatencyCurve curve(LatencyPoint... points) {
    return LatencyCurve.of(Arrays.asList(points));
  }

  private static final LatencyCurve TWO_POINTS =
      curve(new LatencyPoint(100, 10), new LatencyPoint(200, 30));

  @Test
  void of_unsortedPoints_sortsByTokens() {
    LatencyCurve curve =
        curve(new LatencyPoint(300, 5), new LatencyPoint(100, 1), new LatencyPoint(200, 3));
    assertEquals(
        List.of(new LatencyPoint(100, 1), new LatencyPoint(200, 3), new LatencyPoint(300, 5)),
        curve.points());
  }

  @Test
  void of_duplicateTokens_keepsSlowest() {
    LatencyCurve curve =
        curve(new LatencyPoint(100, 4), new LatencyPoint(100, 9), new LatencyPoint(100, 6));
    assertEquals(List.of(new LatencyPoint(100, 9)), curve.points());
  }

  @Test
  void of_emptyList_throws() {
    assertThrows(IllegalArgumentException.class, () -> LatencyCurve.of(List.of()));
  }

  @Test
  void of_nullListOrElement_throwsNpe() {
    assertThrows(NullPointerException.class, () -> LatencyCurve.of(null));
    List<LatencyPoint> withNull = new ArrayList<>();
    withNull.add(null);
    assertThrows(NullPointerException.class, () -> LatencyCurve.of(withNull));
  }

  @Test
  void of_copiesInput() {
    List<LatencyPoint> points = new ArrayList<>(List.of(new LatencyPoint(100, 10)));
    LatencyCurve curve = LatencyCurve.of(points);
    points.add(new LatencyPoint(200, 1000));
    assertEquals(1, curve.points().size());
  }

  @Test
  void points_isUnmodifiable() {
    assertThrows(
        UnsupportedOperationException.class, () -> TWO_POINTS.points().add(new LatencyPoint(1, 1)));
  }

  @Test
  void predict_atMeasuredPoint_returnsMeasurement() {
    assertEquals(10.0, TWO_POINTS.predictMillis(100));
    assertEquals(30.0, TWO_POINTS.predictMillis(200));
  }

  @Test
  void predict_betweenPoints_interpolatesLinearly() {
    assertEquals(20.0, TWO_POINTS.predictMillis(150));
    assertEquals(15.0, TWO_POINTS.predictMillis(125));
  }

  @Test
  void predict_betweenInnerPoints_usesEnclosingSegment() {
    LatencyCurve curve =
        curve(new LatencyPoint(100, 10), new LatencyPoint(200, 30), new LatencyPoint(400, 40));
    assertEquals(35.0, curve.predictMillis(300));
    assertEquals(20.0, curve.predictMillis(150));
  }

  @Test
  void predict_belowFirstPoint_returnsFirstMillis() {
    assertEquals(10.0, TWO_POINTS.predictMillis(1));
    assertEquals(10.0, TWO_POINTS.predictMillis(99));
  }

  @Test
  void predict_aboveLastPoint_extrapolatesWithLastSlope() {
    LatencyCurve curve =
        curve(new LatencyPoint(100, 50), new LatencyPoint(200, 10), new LatencyPoint(300, 30));
    assertEquals(50.0, curve.predictMillis(400));
    assertEquals(70.0, TWO_POINTS.predictMillis(400));
  }

  @Test
  void predict_aboveLastPointWithFallingSlope_neverBelowLastMillis() {
    LatencyCurve falling = curve(new LatencyPoint(100, 10), new LatencyPoint(200, 8));
    assertEquals(8.0, falling.predictMillis(1000));
  }

  @Test
  void predict_singlePoint_scalesProportionallyAboveAndFlatBelow() {
    LatencyCurve single = curve(new LatencyPoint(100, 10));
    assertEquals(25.0, single.predictMillis(250));
    assertEquals(10.0, single.predictMillis(100));
    assertEquals(10.0, single.predictMillis(40));
  }

  @Test
  void predict_nonPositiveTokens_throwsNamingValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> TWO_POINTS.predictMillis(-7));
    assertTrue(e.getMessage().contains("-7"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TWO_POINTS.predictMillis(0));
  }

  @Test
  void fromSamples_usesRequestedQuantileOfEachTokenCount() {
    Map<Integer, double[]> samples = new LinkedHashMap<>();
    samples.put(512, new double[] {49, 40, 41, 42, 43, 44, 45, 46, 47, 48});
    samples.put(128, new double[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 100});
    LatencyCurve curve = LatencyCurve.fromSamples(samples, 0.9);
    assertEquals(List.of(new LatencyPoint(128, 18), new LatencyPoint(512, 48)), curve.points());
  }

  @Test
  void fromSamples_medianDiffersFromP90() {
    Map<Integer, double[]> samples = Map.of(64, new double[] {1, 2, 3, 4, 100});
    assertEquals(List.of(new LatencyPoint(64, 3)), LatencyCurve.fromSamples(samples, 0.5).points());
    assertEquals(
        List.of(new LatencyPoint(64, 100)), LatencyCurve.fromSamples(samples, 0.9).points());
  }

  @Test
  void fromSamples_emptyMap_throws() {
    assertThrows(IllegalArgumentException.class, () -> LatencyCurve.fromSamples(Map.of(), 0.9));
  }

  @Test
  void fromSamples_emptySampleArray_throwsNamingTokens() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LatencyCurve.fromSamples(Map.of(256, new double[0]), 0.9));
    assertTrue(e.getMessage().contains("256"), e.getMessage());
  }

  @Test
  void fromSamples_negativeSampleNotAtQuantile_stillThrows() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LatencyCurve.fromSamples(Map.of(256, new double[] {-1, 5, 6}), 0.9));
    assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
  }

  @Test
  void fromSamples_nanOrInfiniteSample_throws() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyCurve.fromSamples(Map.of(256, new double[] {Double.NaN, 5}), 0.5));
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyCurve.fromSamples(Map.of(256, new double[] {Double.POSITIVE_INFINITY}), 0.5));
  }

  @Test
  void fromSamples_nonPositiveTokens_throws() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyCurve.fromSamples(Map.of(0, new double[] {1}), 0.5));
  }

  @Test
  void fromSamples_quantileOutOfRange_throws() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LatencyCurve.fromSamples(Map.of(8, new double[] {1}), 1.01));
  }

  @Test
  void equals_samePointsInDifferentOrder_areEqual() {
    LatencyCurve reversed = curve(new LatencyPoint(200, 30), new LatencyPoint(100, 10));
    assertEquals(TWO_POINTS, reversed);
    assertEquals(TWO_POINTS.hashCode(), reversed.hashCode());
    assertNotEquals(TWO_POINTS, curve(new LatencyPoint(100, 10), new LatencyPoint(200, 31)));
  }
}
