package io.flexserve.models.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer of a decoder LM, from its {@code tokenizer.json}. Encoding applies the tokenizer's
 * own post-processor (for Llama-family tokenizers: a leading BOS), without truncation: the caller
 * checks the context length and says what is too long. Thread-safe (the native tokenizer is
 * immutable).
 */
public final class DecoderTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private DecoderTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public static DecoderTokenizer load(Path tokenizerJson) throws IOException {
    return new DecoderTokenizer(
        HuggingFaceTokenizer.newInstance(
            tokenizerJson,
            Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false")));
  }

  /** Token ids of {@code text}, special tokens (BOS) included. */
  public long[] encode(String text) {
    return tokenizer.encode(text).getIds();
  }

  /**
   * Token ids of {@code text} without special tokens: a continuation of an already-encoded prefix.
   */
  public long[] encodePlain(String text) {
    return tokenizer.encode(text, false, false).getIds();
  }

  /** Text of {@code ids}, special tokens dropped. */
  public String decode(List<Integer> ids) {
    long[] raw = ids.stream().mapToLong(Integer::longValue).toArray();
    return tokenizer.decode(raw, true);
  }

  /**
   * Text that {@code generated} adds after {@code context}. Decoding the new ids alone would be
   * wrong for SentencePiece-style tokenizers, which drop the space of a word-initial piece at the
   * start of a text; decoding the whole sequence and cutting off the context's text keeps it. (Also
   * the basis of streaming: each chunk is the growth of this text.)
   */
  public String continuation(long[] context, List<Integer> generated) {
    long[] all = java.util.Arrays.copyOf(context, context.length + generated.size());
    for (int i = 0; i < generated.size(); i++) {
      all[context.length + i] = generated.get(i);
    }
    String before = tokenizer.decode(context, true);
    String after = tokenizer.decode(all, true);
    return after.startsWith(before) ? after.substring(before.length()) : decode(generated);
  }

  /**
   * The exact text {@code token} adds after {@code previous}: with a word-initial SentencePiece
   * piece its leading space (which decoding the token alone drops), so that the pieces of a
   * generation join back into its text.
   */
  public String piece(long previous, int token) {
    String before = tokenizer.decode(new long[] {previous}, true);
    String after = tokenizer.decode(new long[] {previous, token}, true);
    return after.startsWith(before) ? after.substring(before.length()) : decode(List.of(token));
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
