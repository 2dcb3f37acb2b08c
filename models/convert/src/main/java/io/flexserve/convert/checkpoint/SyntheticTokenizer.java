package io.flexserve.convert.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.models.llm.checkpoint.JsonFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code tokenizer.json} for synthetic checkpoints in the SentencePiece style of Llama 2 (and of
 * tinystories-260k): a BPE with byte fallback, spaces as {@code ▁}, {@code <s>} prepended.
 * Vocabulary: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens {@code <0x00>}..{@code
 * <0xFF>} (ids 3..258), then single printable ASCII characters, then {@code ▁x} and two-letter
 * merges while room remains, so any text encodes and common words take fewer tokens than
 * characters, as with a trained tokenizer.
 */
final class SyntheticTokenizer {
  static final String SPACE = "\u2581";
  static final int BYTE_TOKENS_END = 259;

  private SyntheticTokenizer() {}

  /** Tokenizer JSON whose ids all lie below {@code vocabSize} (at least 259). */
  static String json(int vocabSize) {
    if (vocabSize < BYTE_TOKENS_END) {
      throw new IllegalArgumentException(
          "a byte-fallback tokenizer needs vocab_size >= "
              + BYTE_TOKENS_END
              + " (3 specials and 256 byte tokens), got "
              + vocabSize);
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put("<unk>", 0);
    vocab.put("<s>", 1);
    vocab.put("</s>", 2);
    for (int b = 0; b < 256; b++) {
      vocab.put(String.format("<0x%02X>", b), 3 + b);
    }
    List<String> singles = new ArrayList<>();
    singles.add(SPACE);
    for (char c = 'a'; c <= 'z'; c++) {
      singles.add(String.valueOf(c));
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      singles.add(String.valueOf(c));
    }
    for (char c = '0'; c <= '9'; c++) {
      singles.add(String.valueOf(c));
    }
    for (char c = '!'; c <= '~'; c++) {
      if (!Character.isLetterOrDigit(c)) {
        singles.add(String.valueOf(c));
      }
    }
    for (String s : singles) {
      add(vocab, s, vocabSize);
    }
    List<String> merges = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) {
      merge(vocab, merges, SPACE, String.valueOf(c), vocabSize);
    }
    for (char a = 'a'; a <= 'z'; a++) {
      for (char b = 'a'; b <= 'z'; b++) {
        merge(vocab, merges, String.valueOf(a), String.valueOf(b), vocabSize);
      }
    }
    return document(vocab, merges);
  }

  private static void add(Map<String, Integer> vocab, String token, int vocabSize) {
    if (vocab.size() < vocabSize) {
      vocab.putIfAbsent(token, vocab.size());
    }
  }

  private static void merge(
      Map<String, Integer> vocab, List<String> merges, String left, String right, int vocabSize) {
    if (vocab.size() < vocabSize && vocab.containsKey(left) && vocab.containsKey(right)) {
      add(vocab, left + right, vocabSize);
      merges.add(left + " " + right);
    }
  }

  private static String document(Map<String, Integer> vocab, List<String> merges) {
    ObjectNode root = JsonFields.MAPPER.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String special : List.of("<unk>", "<s>", "</s>")) {
      added
          .addObject()
          .put("id", vocab.get(special))
          .put("content", special)
          .put("single_word", false)
          .put("lstrip", false)
          .put("rstrip", false)
          .put("normalized", false)
          .put("special", true);
    }
    ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
    ArrayNode normalizers = normalizer.putArray("normalizers");
    normalizers.addObject().put("type", "Prepend").put("prepend", SPACE);
    ObjectNode replace = normalizers.addObject().put("type", "Replace");
    replace.putObject("pattern").put("String", " ");
    replace.put("content", SPACE);
    root.putNull("pre_tokenizer");
    ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    special(single, "<s>", 0);
    sequence(single, "A", 0);
    ArrayNode pair = post.putArray("pair");
    special(pair, "<s>", 0);
    sequence(pair, "A", 0);
    special(pair, "<s>", 1);
    sequence(pair, "B", 1);
    ObjectNode bos = post.putObject("special_tokens").putObject("<s>").put("id", "<s>");
    bos.putArray("ids").add(1);
    bos.putArray("tokens").add("<s>");
    ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
    ArrayNode decoders = decoder.putArray("decoders");
    ObjectNode unspace = decoders.addObject().put("type", "Replace");
    unspace.putObject("pattern").put("String", SPACE);
    unspace.put("content", " ");
    decoders.addObject().put("type", "ByteFallback");
    decoders.addObject().put("type", "Fuse");
    decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    ObjectNode model = root.putObject("model").put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", "<unk>");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", true).put("byte_fallback", true);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode m = model.putArray("merges");
    merges.forEach(m::add);
    try {
      return JsonFields.MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a tree of plain values", e);
    }
  }

  private static void special(ArrayNode template, String token, int typeId) {
    template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
  }

  private static void sequence(ArrayNode template, String id, int typeId) {
    template.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
  }
}
