package io.flexserve.loadtest.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

class RateSearchTest {

  @Test
  void search_growsThenBisects_toWithinTolerance() {
    RateSearch search = new RateSearch(10, 1000, 2, 0.05, 20);

    List<Double> probed = drive(search, rate -> rate <= 73);

    assertEquals(List.of(10.0, 20.0, 40.0, 80.0, 60.0, 70.0), probed.subList(0, 6));
    double pass = search.highestPassing().getAsDouble();
    double fail = search.lowestFailing().getAsDouble();
    assertTrue(pass <= 73 && fail > 73, pass + " .. " + fail);
    assertTrue(fail - pass <= 0.05 * pass, pass + " .. " + fail);
  }

  @Test
  void search_ceilingPasses_stopsThere() {
    RateSearch search = new RateSearch(10, 50, 2, 0.05, 20);

    List<Double> probed = drive(search, rate -> true);

    assertEquals(List.of(10.0, 20.0, 40.0, 50.0), probed);
    assertEquals(OptionalDouble.of(50), search.highestPassing());
    assertTrue(search.lowestFailing().isEmpty());
  }

  @Test
  void search_floorFails_stopsWithNoPassingRate() {
    RateSearch search = new RateSearch(10, 50, 2, 0.05, 20);

    assertEquals(List.of(10.0), drive(search, rate -> false));
    assertTrue(search.highestPassing().isEmpty());
    assertEquals(OptionalDouble.of(10), search.lowestFailing());
  }

  @Test
  void search_maxProbes_capsTheSearch() {
    RateSearch search = new RateSearch(1, 1e6, 2, 1e-9, 5);

    assertEquals(5, drive(search, rate -> rate < 1000).size());
    assertEquals(5, search.probes());
  }

  @Test
  void misuse_failsFast() {
    RateSearch search = new RateSearch(1, 10, 2, 0.1, 5);
    search.next();
    assertThrows(IllegalStateException.class, search::next);
    assertThrows(IllegalStateException.class, () -> search.record(2, true));
    assertThrows(IllegalArgumentException.class, () -> new RateSearch(0, 10, 2, 0.1, 5));
    assertThrows(IllegalArgumentException.class, () -> new RateSearch(10, 5, 2, 0.1, 5));
    assertThrows(IllegalArgumentException.class, () -> new RateSearch(1, 10, 1, 0.1, 5));
  }

  private static List<Double> drive(RateSearch search, DoublePredicate passes) {
    List<Double> probed = new ArrayList<>();
    for (OptionalDouble next = search.next(); next.isPresent(); next = search.next()) {
      probed.add(next.getAsDouble());
      search.record(next.getAsDouble(), passes.test(next.getAsDouble()));
    }
    return probed;
  }
}
