package io.flexserve.server.generation;

import io.flexserve.models.text.DecoderTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text of one generation as it grows token by token: what may be sent to the client now, and
 * where a stop string ends it. Text is held back while it could still turn out to be (the start of)
 * a stop string, or while the last token ends inside a multi-byte character (byte-fallback pieces
 * decode to U+FFFD until complete). Not thread-safe: one per generation, used by the scheduler
 * thread.
 */
final class TextStream {
  private static final int CONTEXT_TOKENS = 4;

  private final DecoderTokenizer tokenizer;
  private final long[] context;
  private final List<String> stops;
  private final List<Integer> tokens = new ArrayList<>();
  private String full = "";
  private int sent;
  private boolean stopped;

  /** A piece of text to send, and whether a stop string ended the generation with it. */
  record Delta(String text, boolean stopped) {}

  TextStream(DecoderTokenizer tokenizer, long[] prompt, List<String> stops) {
    this.tokenizer = tokenizer;
    // The last few prompt tokens decide how the first new piece joins on (a leading space or not);
    // decoding only
    // those keeps each step's cost independent of the prompt length.
    this.context =
        Arrays.copyOfRange(prompt, Math.max(0, prompt.length - CONTEXT_TOKENS), prompt.length);
    this.stops = List.copyOf(stops);
  }

  Delta add(int token) {
    if (stopped) {
      throw new IllegalStateException("generation already stopped");
    }
    tokens.add(token);
    full = tokenizer.continuation(context, tokens);
    for (String stop : stops) {
      int at = full.indexOf(stop, Math.max(0, sent - stop.length()));
      if (at >= 0 && at >= sent) {
        stopped = true;
        return new Delta(take(at), true);
      }
    }
    int safe = full.length();
    while (safe > sent && full.charAt(safe - 1) == '\uFFFD') {
      safe--;
    }
    safe -= heldForStop(full.substring(0, safe));
    return new Delta(take(Math.max(sent, safe)), false);
  }

  /** Whatever is still held back, at the end of a generation that did not stop on a stop string. */
  String flush() {
    return stopped ? "" : take(full.length());
  }

  /** Everything sent so far. */
  String sentText() {
    return full.substring(0, sent);
  }

  private String take(int end) {
    String delta = full.substring(sent, end);
    sent = end;
    return delta;
  }

  /** Length of the longest suffix of {@code text} that is a proper prefix of a stop string. */
  private int heldForStop(String text) {
    int held = 0;
    for (String stop : stops) {
      for (int k = Math.min(stop.length() - 1, text.length() - sent); k > held; k--) {
        if (text.endsWith(stop.substring(0, k))) {
          held = k;
          break;
        }
      }
    }
    return held;
  }
}
