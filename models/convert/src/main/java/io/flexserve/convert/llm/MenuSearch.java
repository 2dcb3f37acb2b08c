package io.flexserve.convert.llm;

import io.flexserve.models.importance.Importance;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.LatencyTable;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The menu of an elastic decoder, chosen at conversion (Flextron's static router): for each latency
 * budget, the candidate sub-network with the lowest held-back perplexity among those whose
 * estimated latency fits the budget.
 *
 * <p>Candidates are every combination of a kept-KV-group count and an MLP width from the latency
 * table, applied to every kept layer, with the k least important layers (block importance) skipped,
 * k = 0 … maxSkipped. Evaluating perplexity costs a forward pass over the held-back text per
 * candidate, so per budget only the {@code perBudget} candidates with the highest estimated latency
 * that still fit are evaluated (ties, common where per-op overhead dominates, go to the one keeping
 * more weights): spending the budget is what buys quality, and which dimension to cut (heads,
 * neurons or depth) is then decided by measurement.
 */
public final class MenuSearch {
  private MenuSearch() {}

  /** A sub-network that could go on the menu, with its latency estimated from the table. */
  public record Candidate(DecoderSubnet subnet, double estimatedMillis) {}

  /**
   * A menu entry: the budget it was chosen for (fraction of full latency), the sub-network and its
   * perplexity.
   */
  public record Choice(double budget, Candidate candidate, double perplexity) {}

  /** Scores a candidate; lower is better (held-back perplexity). */
  public interface Evaluator {
    double perplexity(DecoderSubnet subnet) throws Exception;
  }

  public static List<Candidate> candidates(
      LlamaConfig c, LatencyTable table, double[] blockImportance, int maxSkipped) {
    int[] byImportance = Importance.descendingOrder(blockImportance);
    List<Candidate> out = new ArrayList<>();
    for (int skip = 0; skip <= Math.min(maxSkipped, c.layers() - 1); skip++) {
      List<Integer> skipped = new ArrayList<>();
      for (int i = 0; i < skip; i++) {
        skipped.add(byImportance[byImportance.length - 1 - i]);
      }
      for (int groups : table.groups()) {
        for (int width : table.widths()) {
          List<DecoderSubnet.Layer> layers = new ArrayList<>();
          for (int l = 0; l < c.layers(); l++) {
            if (!skipped.contains(l)) {
              layers.add(new DecoderSubnet.Layer(l, groups, width));
            }
          }
          DecoderSubnet s = new DecoderSubnet("g" + groups + "-f" + width + "-skip" + skip, layers);
          out.add(new Candidate(s, table.estimate(s)));
        }
      }
    }
    return out;
  }

  /**
   * Fails unless {@code budgets} are what {@link #choose} takes: fractions of the full model's
   * latency, starting at 1.0 and strictly descending.
   */
  public static void checkBudgets(List<Double> budgets) {
    if (budgets.isEmpty() || budgets.get(0) != 1.0) {
      throw new IllegalArgumentException(
          "budgets must start at 1.0 (the full model), got " + budgets);
    }
    for (int i = 1; i < budgets.size(); i++) {
      if (!(budgets.get(i) > 0 && budgets.get(i) < budgets.get(i - 1))) {
        throw new IllegalArgumentException(
            "budgets must be fractions in (0, 1], strictly descending; got " + budgets);
      }
    }
  }

  /**
   * Chooses one sub-network per budget. The first budget must be 1.0 and always gets the dense
   * model, named {@code full}; the others are named {@code lat<percent>}. Budgets that end up with
   * the same sub-network as a larger budget are dropped (the menu lists distinct sub-networks
   * only).
   *
   * @param budgets fractions of the full model's estimated latency, descending, starting at 1.0
   */
  public static List<Choice> choose(
      LlamaConfig config,
      List<Candidate> candidates,
      DecoderSubnet full,
      LatencyTable table,
      List<Double> budgets,
      int perBudget,
      Evaluator evaluator)
      throws Exception {
    checkBudgets(budgets);
    double fullMillis = table.estimate(full);
    Map<String, Double> scored = new HashMap<>();
    Map<String, Choice> menu = new LinkedHashMap<>();
    Candidate fullCandidate = new Candidate(rename(full, "full"), fullMillis);
    menu.put(
        key(full),
        new Choice(1.0, fullCandidate, score(evaluator, fullCandidate.subnet(), scored)));
    for (double budget : budgets.subList(1, budgets.size())) {
      List<Candidate> fitting =
          candidates.stream()
              .filter(cand -> cand.estimatedMillis() <= budget * fullMillis)
              .sorted(
                  Comparator.comparingDouble(Candidate::estimatedMillis)
                      .thenComparingLong(cand -> cand.subnet().weightFloatsPerToken(config))
                      .reversed())
              .limit(perBudget)
              .toList();
      Choice best = null;
      for (Candidate cand : fitting) {
        double ppl = score(evaluator, cand.subnet(), scored);
        if (best == null || ppl < best.perplexity()) {
          best = new Choice(budget, cand, ppl);
        }
      }
      if (best == null) {
        throw new IllegalArgumentException(
            "no candidate fits "
                + Math.round(budget * 100)
                + "% of full latency ("
                + String.format("%.2f", budget * fullMillis)
                + " ms estimated); the smallest needs "
                + String.format(
                    "%.2f",
                    candidates.stream()
                        .mapToDouble(Candidate::estimatedMillis)
                        .min()
                        .orElse(Double.NaN))
                + " ms; choose larger --budgets");
      }
      String name = "lat" + Math.round(budget * 100);
      Candidate named =
          new Candidate(
              rename(best.candidate().subnet(), name), best.candidate().estimatedMillis());
      menu.putIfAbsent(
          key(best.candidate().subnet()), new Choice(budget, named, best.perplexity()));
    }
    return List.copyOf(menu.values());
  }

  private static double score(Evaluator evaluator, DecoderSubnet s, Map<String, Double> scored)
      throws Exception {
    Double known = scored.get(key(s));
    if (known == null) {
      known = evaluator.perplexity(s);
      scored.put(key(s), known);
    }
    return known;
  }

  private static String key(DecoderSubnet s) {
    return s.layers().toString();
  }

  private static DecoderSubnet rename(DecoderSubnet s, String name) {
    return new DecoderSubnet(name, s.layers());
  }
}
