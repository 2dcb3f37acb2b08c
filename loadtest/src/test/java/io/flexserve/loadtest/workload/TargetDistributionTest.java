package io.flexserve.loadtest.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TargetDistributionTest {

  @Test
  void uniform_drawsWithinRange_coveringIt_deterministicForASeed() {
    TargetDistribution uniform = TargetDistribution.parse("uniform:10:50");

    List<OptionalDouble> draws = uniform.draw(5000, 3);

    assertEquals(draws, uniform.draw(5000, 3));
    assertNotEquals(draws, uniform.draw(5000, 4));
    double min = draws.stream().mapToDouble(OptionalDouble::getAsDouble).min().orElseThrow();
    double max = draws.stream().mapToDouble(OptionalDouble::getAsDouble).max().orElseThrow();
    double mean = draws.stream().mapToDouble(OptionalDouble::getAsDouble).average().orElseThrow();
    assertTrue(min >= 10 && min < 10.5, "min " + min);
    assertTrue(max < 50 && max > 49.5, "max " + max);
    assertEquals(30, mean, 1.0);
  }

  @Test
  void choices_drawOnlyListedValues_inRoughlyEqualShares() {
    List<OptionalDouble> draws = TargetDistribution.parseChoices("10, 20,50").draw(3000, 1);

    Set<Double> seen = draws.stream().map(OptionalDouble::getAsDouble).collect(Collectors.toSet());
    assertEquals(Set.of(10.0, 20.0, 50.0), seen);
    long tens = draws.stream().filter(d -> d.getAsDouble() == 10.0).count();
    assertEquals(1000, tens, 100);
  }

  @Test
  void fixedAndNone_ignoreTheSeed() {
    assertEquals(
        List.of(OptionalDouble.of(20), OptionalDouble.of(20)),
        new TargetDistribution.Fixed(20).draw(2, 9));
    assertEquals(List.of(OptionalDouble.empty()), new TargetDistribution.None().draw(1, 9));
    assertEquals(new TargetDistribution.Fixed(7.5), TargetDistribution.parse("fixed:7.5"));
  }

  @Test
  void describe_isShortAndReadable() {
    assertEquals("uniform 10..50 ms", TargetDistribution.parse("uniform:10:50").describe());
    assertEquals("one of 10, 20, 50 ms", TargetDistribution.parseChoices("10,20,50").describe());
    assertEquals("12.5 ms", new TargetDistribution.Fixed(12.5).describe());
    assertEquals("none", new TargetDistribution.None().describe());
  }

  @Test
  void parse_malformed_failsNamingTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TargetDistribution.parse("normal:10:2"));
    assertTrue(e.getMessage().contains("'normal:10:2'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TargetDistribution.parse("uniform:50:10"));
    assertThrows(IllegalArgumentException.class, () -> TargetDistribution.parse("uniform:0:10"));
    assertThrows(IllegalArgumentException.class, () -> TargetDistribution.parse("uniform:a:b"));
    IllegalArgumentException choice =
        assertThrows(
            IllegalArgumentException.class, () -> TargetDistribution.parseChoices("10,,20"));
    assertTrue(choice.getMessage().contains("''"), choice.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TargetDistribution.parseChoices("10,-5"));
  }
}
