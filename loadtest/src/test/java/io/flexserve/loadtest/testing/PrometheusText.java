package io.flexserve.loadtest.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Samples of a Prometheus text exposition (format 0.0.4), as {@code GET /metrics} returns them: one
 * sample per non-comment line, {@code name{label="value",…} number}. Label values are unescaped
 * ({@code \\}, {@code \"}, {@code \n}); a trailing comma inside the braces, as simpleclient writes
 * it, is accepted.
 */
public final class PrometheusText {
  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  /**
   * Parses an exposition.
   *
   * @throws IllegalArgumentException naming the line that is not a sample
   */
  public static PrometheusText parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      out.add(sample(line));
    }
    return new PrometheusText(out);
  }

  /** The sum of every sample named {@code name} whose labels include all of {@code match}. */
  public double sum(String name, Map<String, String> match) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(match.entrySet()))
        .mapToDouble(Sample::value)
        .sum();
  }

  /** Sums of {@code name} samples matching {@code match}, grouped by the value of {@code label}. */
  public Map<String, Double> sumBy(String name, Map<String, String> match, String label) {
    Map<String, Double> out = new TreeMap<>();
    samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(match.entrySet()))
        .forEach(s -> out.merge(s.labels().getOrDefault(label, ""), s.value(), Double::sum));
    return out;
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    if (brace < 0 || (space >= 0 && space < brace)) {
      String[] parts = line.trim().split("\\s+");
      return new Sample(parts[0], Map.of(), Double.parseDouble(parts[1]));
    }
    String name = line.substring(0, brace);
    Map<String, String> labels = new LinkedHashMap<>();
    int i = brace + 1;
    while (line.charAt(i) != '}') {
      if (line.charAt(i) == ',' || line.charAt(i) == ' ') {
        i++;
        continue;
      }
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq).trim();
      if (line.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("label value not quoted in: " + line);
      }
      StringBuilder value = new StringBuilder();
      i = eq + 2;
      while (line.charAt(i) != '"') {
        char c = line.charAt(i++);
        if (c == '\\') {
          char e = line.charAt(i++);
          value.append(e == 'n' ? '\n' : e);
        } else {
          value.append(c);
        }
      }
      labels.put(key, value.toString());
      i++;
    }
    String[] rest = line.substring(i + 1).trim().split("\\s+");
    return new Sample(name, labels, Double.parseDouble(rest[0]));
  }
}
