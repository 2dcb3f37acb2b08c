package io.flexserve.convert.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.LatencyTable;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The static router's selection logic, on a cost model and a quality function given in closed form.
 */
class MenuSearchTest {
  // tiny preset: 2 layers, 2 KV groups, MLP 128
  final LlamaConfig config = SyntheticCheckpoint.preset("tiny");
  // base 1 ms; a layer costs 0.5 ms per group + 1 ms per 128 neurons
  final LatencyTable table =
      new LatencyTable(
          1.0,
          new int[] {1, 2},
          new int[] {32, 64, 128},
          new double[][] {{0.5 + 0.25, 0.5 + 0.5, 0.5 + 1.0}, {1.0 + 0.25, 1.0 + 0.5, 1.0 + 1.0}});
  final double[] blockImportance = {0.3, 0.1}; // layer 1 is skipped first

  /**
   * Perplexity falls with kept weights, so the best candidate per budget is the largest that fits.
   */
  double perplexity(DecoderSubnet s) {
    return 1e6 / s.weightFloatsPerToken(config);
  }

  @Test
  void estimatesAddTheBaseAndEveryKeptLayer() {
    assertEquals(1.0 + 2 * 2.0, table.estimate(DecoderSubnet.full(config)), 1e-12);
    List<MenuSearch.Candidate> all = MenuSearch.candidates(config, table, blockImportance, 1);
    assertEquals(2 * 2 * 3, all.size()); // skip 0 or 1 layer × 2 group counts × 3 widths
    for (MenuSearch.Candidate c : all) {
      if (c.subnet().layers().size() == 1) {
        assertEquals(
            0, c.subnet().layers().get(0).index(), "the less important layer is skipped first");
      }
    }
  }

  @Test
  void eachBudgetGetsTheBestFittingCandidateAndFullComesFirst() throws Exception {
    List<MenuSearch.Candidate> all = MenuSearch.candidates(config, table, blockImportance, 1);
    List<DecoderSubnet> scored = new ArrayList<>();
    List<MenuSearch.Choice> menu =
        MenuSearch.choose(
            config,
            all,
            DecoderSubnet.full(config),
            table,
            List.of(1.0, 0.7, 0.4),
            100,
            s -> {
              scored.add(s);
              return perplexity(s);
            });
    assertEquals("full", menu.get(0).candidate().subnet().name());
    double full = table.estimate(DecoderSubnet.full(config));
    for (MenuSearch.Choice c : menu.subList(1, menu.size())) {
      assertTrue(c.candidate().estimatedMillis() <= c.budget() * full);
      for (MenuSearch.Candidate other : all) {
        if (other.estimatedMillis() <= c.budget() * full) {
          assertTrue(
              perplexity(other.subnet()) >= c.perplexity(),
              other.subnet() + " fits and is better than " + c);
        }
      }
      assertEquals("lat" + Math.round(c.budget() * 100), c.candidate().subnet().name());
    }
    Set<String> distinct = new HashSet<>();
    scored.forEach(s -> assertTrue(distinct.add(s.layers().toString()), "scored twice: " + s));
  }

  @Test
  void budgetsThatPickTheSameSubnetAppearOnce() throws Exception {
    List<MenuSearch.Candidate> all = MenuSearch.candidates(config, table, blockImportance, 1);
    List<MenuSearch.Choice> menu =
        MenuSearch.choose(
            config,
            all,
            DecoderSubnet.full(config),
            table,
            List.of(1.0, 0.99, 0.98, 0.4),
            100,
            this::perplexity);
    assertEquals(3, menu.size(), "0.99 and 0.98 choose the same sub-network: " + menu);
  }

  @Test
  void aBudgetNothingFitsIsAnErrorNamingIt() {
    List<MenuSearch.Candidate> all = MenuSearch.candidates(config, table, blockImportance, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MenuSearch.choose(
                    config,
                    all,
                    DecoderSubnet.full(config),
                    table,
                    List.of(1.0, 0.1),
                    10,
                    this::perplexity));
    assertTrue(e.getMessage().contains("10%"), e.getMessage());
  }
}
