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
}
