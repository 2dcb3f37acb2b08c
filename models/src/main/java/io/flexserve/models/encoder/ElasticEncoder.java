package io.flexserve.models.encoder;

import ai.onnxruntime.OrtException;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.EncoderTokenizer;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An elastic encoder bundle loaded for serving: the weight file mapped once, one session per loaded
 * sub-network computing from that mapping, and the tokenizer. Immutable after {@link #load}; {@link
 * #embed} is thread-safe.
 */
public final class ElasticEncoder implements AutoCloseable {
  private final EncoderManifest manifest;
  private final MappedWeights weights; // must outlive every session: they compute from its memory
  private final Map<String, EncoderSession> sessions;
  private final EncoderTokenizer tokenizer;

  private ElasticEncoder(
      EncoderManifest manifest,
      MappedWeights weights,
      Map<String, EncoderSession> sessions,
      EncoderTokenizer tokenizer) {
    this.manifest = manifest;
    this.weights = weights;
    this.sessions = sessions;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads the bundle in {@code dir}, opening sessions only for the sub-networks {@code load}
   * accepts (all, normally; the memory benchmark loads just {@code full} for its baseline).
   */
  public static ElasticEncoder load(Path dir, SessionConfig config, Predicate<String> load)
      throws IOException, OrtException {
    EncoderManifest manifest = EncoderManifest.read(dir);
    MappedWeights weights =
        MappedWeights.map(BundleFormat.file(dir, manifest.weights(), "weights"));
    Map<String, EncoderSession> sessions = new LinkedHashMap<>();
    try {
      for (EncoderManifest.Subnet s : manifest.subnets()) {
        if (load.test(s.name())) {
          s.spec().checkFits(manifest.config());
          sessions.put(
              s.name(),
              EncoderSession.open(
                  BundleFormat.file(dir, s.graph(), "graph of " + s.name()),
                  weights,
                  config,
                  manifest.config().hidden()));
        }
      }
      if (sessions.isEmpty()) {
        throw new IllegalArgumentException(
            "no sub-network of " + manifest.name() + " selected to load");
      }
      EncoderTokenizer tokenizer =
          EncoderTokenizer.load(
              BundleFormat.file(dir, manifest.tokenizer(), "tokenizer"),
              manifest.config().maxSequenceLength());
      return new ElasticEncoder(manifest, weights, Map.copyOf(sessions), tokenizer);
    } catch (IOException | OrtException | RuntimeException e) {
      for (EncoderSession s : sessions.values()) {
        s.close();
      }
      throw e;
    }
  }

  public EncoderManifest manifest() {
    return manifest;
  }

  /** Loaded sub-networks in manifest order (largest first). */
  public List<EncoderManifest.Subnet> subnets() {
    return manifest.subnets().stream().filter(s -> sessions.containsKey(s.name())).toList();
  }

  public EncoderTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Embeds a batch on one sub-network.
   *
   * @return L2-normalised sentence embeddings {@code [batch][hidden]}
   * @throws IllegalArgumentException when {@code subnet} is not loaded
   */
  public float[][] embed(String subnet, TokenBatch batch) throws OrtException {
    return embed(subnet, batch, null);
  }

  /**
   * As {@link #embed(String, TokenBatch)}, run with {@code options} (e.g. a {@link TimedRun}'s),
   * defaults when null.
   */
  public float[][] embed(
      String subnet, TokenBatch batch, ai.onnxruntime.OrtSession.RunOptions options)
      throws OrtException {
    EncoderSession session = sessions.get(subnet);
    if (session == null) {
      throw new IllegalArgumentException(
          "sub-network '" + subnet + "' is not loaded; loaded: " + sessions.keySet());
    }
    return session.embed(batch, options);
  }

  /** Bytes of the shared weight mapping. */
  public long weightBytes() {
    return weights.sizeBytes();
  }

  @Override
  public void close() throws OrtException {
    for (EncoderSession s : sessions.values()) {
      s.close();
    }
    tokenizer.close();
  }
}
