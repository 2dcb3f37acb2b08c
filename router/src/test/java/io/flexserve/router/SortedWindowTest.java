package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SortedWindowTest {

  @Test
  void quantiles_areThoseOfTheLastValues_sortedAfresh_throughEvictionsAndTies() {
    SortedWindow window = new SortedWindow(16);
    List<Double> last = new ArrayList<>();
    Random random = new Random(3);
    for (int i = 0; i < 400; i++) {
      double v = random.nextInt(9) - 2.0; // few distinct values, some negative: many ties to evict
      window.add(v);
      last.add(v);
      if (last.size() > 16) {
        last.remove(0);
      }
      double[] values = last.stream().mapToDouble(Double::doubleValue).toArray();
      assertEquals(last.size(), window.size());
      for (double q : new double[] {0, 0.5, 0.9, 0.99, 1}) {
        assertEquals(Quantiles.quantile(values, q), window.quantile(q), "value " + i + ", q " + q);
      }
    }
  }

  @Test
  void removingTheOldest_byItsStamp_keepsQuantilesAndStampsOfWhatRemains() {
    SortedWindow window = new SortedWindow(16);
    List<Double> kept = new ArrayList<>();
    List<Double> stamps = new ArrayList<>();
    Random random = new Random(5);
    for (int i = 0; i < 400; i++) {
      double v = random.nextInt(9) - 2.0;
      window.add(v, i);
      kept.add(v);
      stamps.add((double) i);
      if (kept.size() > 16) { // evicted by add, as the ring wraps
        kept.remove(0);
        stamps.remove(0);
      }
      while (window.size() > 0 && window.oldestStamp() < i - random.nextInt(20)) {
        window.removeOldest();
        kept.remove(0);
        stamps.remove(0);
      }
      assertEquals(kept.size(), window.size());
      if (!kept.isEmpty()) {
        assertEquals(stamps.get(0), window.oldestStamp(), "value " + i);
        double[] values = kept.stream().mapToDouble(Double::doubleValue).toArray();
        for (double q : new double[] {0, 0.5, 1}) {
          assertEquals(
              Quantiles.quantile(values, q), window.quantile(q), "value " + i + ", q " + q);
        }
      }
    }
  }
}
