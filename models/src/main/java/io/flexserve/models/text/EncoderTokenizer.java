package io.flexserve.models.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece/BPE tokenizer for encoder inputs: adds the model's special tokens ([CLS] … [SEP]) and
 * truncates each input to {@code maxLength} tokens, as sentence-transformers does. Thread-safe (the
 * native tokenizer is immutable).
 */
public final class EncoderTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;

  private EncoderTokenizer(HuggingFaceTokenizer tokenizer, int maxLength) {
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
  }

  /** Loads {@code tokenizer.json} from a file. */
  public static EncoderTokenizer load(Path tokenizerJson, int maxLength) throws IOException {
    try (InputStream in = Files.newInputStream(tokenizerJson)) {
      return load(in, maxLength);
    }
  }

  /** Loads {@code tokenizer.json} from a stream (read fully, not closed). */
  public static EncoderTokenizer load(InputStream tokenizerJson, int maxLength) throws IOException {
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "maxLength must leave room for [CLS] and [SEP], got " + maxLength);
    }
    return new EncoderTokenizer(
        HuggingFaceTokenizer.newInstance(tokenizerJson, options(maxLength)), maxLength);
  }

  /** DJL's settings for every encoder tokenizer: special tokens, truncation, no padding. */
  static Map<String, String> options(int maxLength) {
    return Map.of(
        "addSpecialTokens", "true",
        "truncation", "true",
        "padding", "false",
        "maxLength", Integer.toString(maxLength));
  }

  /**
   * Token ids of one input, special tokens included, at most {@link #maxLength()} long: what {@code
   * tokenizer.encode(text).getIds()} returns. DJL's {@code encode} builds the whole {@code
   * Encoding} (tokens as strings, character spans, masks, word ids: nine JNI calls and their
   * objects), and an encoder needs only the ids, so this asks the same native tokenizer for them
   * alone: three JNI calls, 25 µs instead of 33 for a 16-token sentence (C1, one core;
   * BENCHMARKS.md, issue 19). Truncation and special tokens are the native tokenizer's own settings
   * either way; the DJL-side text rewrites that {@code encode} applies first (lower-casing, accent
   * stripping, a prefix space) are off for every tokenizer {@link #load} creates.
   */
  public long[] encode(String text) {
    TokenizersLibrary lib = TokenizersLibrary.LIB;
    long encoding = lib.encode(tokenizer.getHandle(), text, true);
    try {
      return lib.getTokenIds(encoding);
    } finally {
      lib.deleteEncoding(encoding);
    }
  }

  /** Tokenizes and pads {@code texts} into one batch. */
  public TokenBatch encodeBatch(List<String> texts) {
    long[][] rows = new long[texts.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = encode(texts.get(i));
    }
    return TokenBatch.pad(rows);
  }

  public int maxLength() {
    return maxLength;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
