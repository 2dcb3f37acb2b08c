package io.flexserve.loadtest.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts a run embeds, used round-robin: request {@code i} carries inputs {@code i·k … i·k + k −
 * 1} (modulo the number of texts), where {@code k} is {@code inputsPerRequest}.
 *
 * @param texts the texts, none blank; at least one
 * @param inputsPerRequest inputs per request, 1 or more; with 1 the request's {@code input} is a
 *     string, otherwise an array
 */
public record Payloads(List<String> texts, int inputsPerRequest) {
  private static final List<String> BUILT_IN =
      List.of(
          "The quick brown fox jumps over the lazy dog.",
          "How do I reset my password?",
          "Elastic models nest smaller sub-networks inside a larger one, sharing the same weights.",
          "Weather tomorrow: light rain in the morning, clearing by noon, high of 18 °C.",
          "Ok.",
          "Our quarterly revenue grew 12% year over year, driven mostly by subscriptions in Europe and Asia.",
          "Which is faster for point lookups, a B-tree or a hash index?",
          "She said, \"I'll be there at 7\" — and she was.",
          "Die Katze schläft auf dem warmen Fensterbrett.",
          "El tren de las ocho llega con veinte minutos de retraso.",
          "東京は日本の首都です。",
          "Return policy: unopened items may be returned within 30 days with a receipt.",
          "def add(a, b):\n    return a + b",
          "Patients with mild symptoms should rest, drink fluids, and monitor their temperature twice a day.",
          "Latency targets are easier to meet when the queue is short.",
          "A short one.",
          "The committee postponed the vote until every member had read the full 240-page report, citing concerns "
              + "about the budget assumptions in chapter seven and the lack of an independent audit.",
          "Is it possible to cancel an order after it has shipped?",
          "Photosynthesis converts light energy into chemical energy stored in glucose.",
          "Tabs\tand\tnewlines\nshould survive JSON escaping intact.");

  public Payloads {
    texts = List.copyOf(texts);
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("need at least one input text");
    }
    if (texts.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("input texts must not be blank");
    }
    if (inputsPerRequest < 1) {
      throw new IllegalArgumentException(
          "inputs per request must be >= 1, got " + inputsPerRequest);
    }
  }

  /** The built-in texts: twenty sentences of varied length, language and punctuation. */
  public static Payloads builtIn(int inputsPerRequest) {
    return new Payloads(BUILT_IN, inputsPerRequest);
  }

  /**
   * Reads one text per line (UTF-8) from a file, skipping blank lines and stripping surrounding
   * whitespace.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no non-blank line
   */
  public static Payloads fromFile(Path file, int inputsPerRequest) throws IOException {
    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        texts.add(line.strip());
      }
    }
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("text file " + file + " has no non-blank line");
    }
    return new Payloads(texts, inputsPerRequest);
  }

  /** The inputs of request {@code index}. */
  public List<String> inputsFor(int index) {
    return take((long) index * inputsPerRequest, inputsPerRequest);
  }

  /**
   * {@code count} texts starting at position {@code first} of the endless round-robin sequence of
   * texts.
   */
  public List<String> take(long first, int count) {
    if (first < 0 || count < 1) {
      throw new IllegalArgumentException(
          "need first >= 0 and count >= 1, got " + first + ", " + count);
    }
    List<String> inputs = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      inputs.add(texts.get((int) ((first + j) % texts.size())));
    }
    return inputs;
  }
}
