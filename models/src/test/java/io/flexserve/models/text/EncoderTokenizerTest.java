package io.flexserve.models.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.flexserve.models.testing.DefaultBundle;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderTokenizerTest {
  private static final int MAX_LENGTH = 32;

  /**
   * The ids-only encode against DJL's full {@code Encoding} of the same tokenizer.json and settings
   * ({@link EncoderTokenizer#options}): special tokens, truncation, unicode, accents, emoji, empty
   * and blank inputs.
   */
  @Test
  void encode_givesTheIdsOfDjlsFullEncoding() throws Exception {
    Path json = DefaultBundle.get().resolve("tokenizer.json");
    List<String> texts =
        List.of(
            "A quick brown fox jumps over the lazy dog near the river bank.",
            "",
            "   ",
            "Héllo, wörld! Ça va? naïve café — «quotes» and 'apostrophes'",
            "emoji 🙂🚀 and CJK 東京 and Greek αβγ",
            "tabs\tand\nnewlines\r\nmixed",
            "unbelievably-hyphenated words, numbers 3.14159 and 1,000,000 and e-mail a@b.co",
            "word ".repeat(200)); // past MAX_LENGTH: truncated, [SEP] kept
    try (EncoderTokenizer tokenizer = EncoderTokenizer.load(json, MAX_LENGTH);
        HuggingFaceTokenizer reference =
            HuggingFaceTokenizer.newInstance(json, EncoderTokenizer.options(MAX_LENGTH))) {
      for (String text : texts) {
        assertArrayEquals(reference.encode(text).getIds(), tokenizer.encode(text), text);
      }
      long[] truncated = tokenizer.encode(texts.get(texts.size() - 1));
      assertEquals(MAX_LENGTH, truncated.length);
      assertEquals(reference.encode("").getIds()[1], truncated[MAX_LENGTH - 1], "ends with [SEP]");
    }
  }
}
