package io.flexserve.convert.llm;

import io.flexserve.models.text.DecoderTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Calibration text cut into token windows: documents (separated by blank lines) are tokenized with
 * their BOS and concatenated, then cut into windows of a fixed length. The first windows rank
 * importance; the last {@code heldBack} windows, never seen by ranking, score candidate
 * sub-networks.
 */
public record CalibrationText(List<long[]> rank, List<long[]> heldBack) {
  public static CalibrationText split(
      String text, DecoderTokenizer tokenizer, int window, int maxRank, int heldBack) {
    List<long[]> windows = windows(text, tokenizer, window);
    if (windows.size() < heldBack + 1) {
      throw new IllegalArgumentException(
          "calibration text has "
              + windows.size()
              + " windows of "
              + window
              + " tokens: need "
              + heldBack
              + " held back plus at least one to rank");
    }
    List<long[]> held = windows.subList(windows.size() - heldBack, windows.size());
    List<long[]> ranking = windows.subList(0, Math.min(maxRank, windows.size() - heldBack));
    return new CalibrationText(List.copyOf(ranking), List.copyOf(held));
  }

  /** All whole windows of {@code window} tokens in {@code text}, in order. */
  public static List<long[]> windows(String text, DecoderTokenizer tokenizer, int window) {
    List<Long> stream = new ArrayList<>();
    for (String doc : text.split("\\n\\s*\\n")) {
      if (!doc.isBlank()) {
        for (long id : tokenizer.encode(doc.strip())) {
          stream.add(id);
        }
      }
    }
    List<long[]> windows = new ArrayList<>();
    for (int from = 0; from + window <= stream.size(); from += window) {
      long[] w = new long[window];
      for (int i = 0; i < window; i++) {
        w[i] = stream.get(from + i);
      }
      windows.add(w);
    }
    return windows;
  }
}
