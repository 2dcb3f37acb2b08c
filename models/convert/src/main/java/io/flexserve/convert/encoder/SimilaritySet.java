package io.flexserve.convert.encoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A labelled similarity set: sentence pairs with a human similarity score, the downstream measure
 * of an embedding model (STS). Quality is the Spearman rank correlation between the cosine
 * similarity of each pair's embeddings and its score: what a user of semantic search relies on,
 * where cosine to the full model is not (a narrower MLP can move every embedding yet keep their
 * order).
 *
 * <p>Files are tab-separated, one pair a line, either in the STS benchmark's layout (genre, file,
 * year, id, score, sentence 1, sentence 2, optional source columns) or as {@code sentence 1 TAB
 * sentence 2 TAB score}.
 *
 * @param first first sentence of each pair
 * @param second second sentence of each pair
 * @param scores human score of each pair
 */
public record SimilaritySet(String name, List<String> first, List<String> second, double[] scores) {
  public SimilaritySet {
    first = List.copyOf(first);
    second = List.copyOf(second);
    if (first.size() != second.size() || first.size() != scores.length) {
      throw new IllegalArgumentException("similarity set: pair lists of different lengths");
    }
    if (scores.length < 2) {
      throw new IllegalArgumentException("similarity set " + name + " has fewer than 2 pairs");
    }
  }

  /** Reads {@code file}; a line that fits neither layout fails with its line number. */
  public static SimilaritySet read(Path file) throws IOException {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<Double> s = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] cols = line.split("\t");
      try {
        if (cols.length >= 7) {
          s.add(Double.parseDouble(cols[4]));
          a.add(cols[5]);
          b.add(cols[6]);
        } else if (cols.length == 3) {
          s.add(Double.parseDouble(cols[2]));
          a.add(cols[0]);
          b.add(cols[1]);
        } else {
          throw new NumberFormatException(
              "expected 3 or at least 7 tab-separated columns, found " + cols.length);
        }
      } catch (NumberFormatException e) {
        throw new IOException(
            file.getFileName()
                + " line "
                + (i + 1)
                + ": not a scored sentence pair ("
                + e.getMessage()
                + ")");
      }
    }
    return new SimilaritySet(
        file.getFileName().toString(), a, b, s.stream().mapToDouble(Double::doubleValue).toArray());
  }

  public int size() {
    return scores.length;
  }

  /** What a quality from {@link #spearman} measures, as recorded in a manifest. */
  public String measure() {
    return "spearman on " + name;
  }

  /**
   * The Spearman correlation of the pairs' cosine similarities with their scores.
   *
   * @param firstEmbeddings L2-normalised embeddings of {@link #first}, in order
   * @param secondEmbeddings the same of {@link #second}
   */
  public double spearman(float[][] firstEmbeddings, float[][] secondEmbeddings) {
    double[] cosine = new double[size()];
    for (int i = 0; i < cosine.length; i++) {
      double dot = 0;
      for (int j = 0; j < firstEmbeddings[i].length; j++) {
        dot += (double) firstEmbeddings[i][j] * secondEmbeddings[i][j];
      }
      cosine[i] = dot;
    }
    return pearson(ranks(cosine), ranks(scores));
  }

  /** Ranks 1..n, ties sharing their mean rank. */
  static double[] ranks(double[] values) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
    double[] ranks = new double[values.length];
    for (int i = 0; i < order.length; ) {
      int j = i;
      while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
        j++;
      }
      double mean = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = mean;
      }
      i = j + 1;
    }
    return ranks;
  }

  static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }
}
