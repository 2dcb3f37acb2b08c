package io.flexserve.models.llm;

import ai.onnxruntime.OrtException;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.DecoderTokenizer;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An elastic decoder bundle loaded for serving: the weight file mapped once, one session per loaded
 * menu entry computing from that mapping (plus one LM-head session per quantized precision, shared
 * by its entries), and the tokenizer. Immutable after {@link #load}; sessions are thread-safe.
 */
public final class ElasticDecoder implements AutoCloseable {
  private final DecoderManifest manifest;
  private final LlamaConfig config;
  private final MappedWeights weights; // must outlive every session: they compute from its memory
  private final Map<String, DecoderSession> sessions;
  private final Map<String, DecoderHead> heads; // by precision: shared by that precision's entries
  private final DecoderTokenizer tokenizer;

  private ElasticDecoder(
      DecoderManifest manifest,
      LlamaConfig config,
      MappedWeights weights,
      Map<String, DecoderSession> sessions,
      Map<String, DecoderHead> heads,
      DecoderTokenizer tokenizer) {
    this.manifest = manifest;
    this.config = config;
    this.weights = weights;
    this.sessions = sessions;
    this.heads = heads;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads the bundle in {@code dir}, opening sessions for the sub-networks {@code load} accepts.
   */
  public static ElasticDecoder load(Path dir, SessionConfig sessionConfig, Predicate<String> load)
      throws IOException, OrtException {
    DecoderManifest manifest = DecoderManifest.read(dir);
    LlamaConfig config = manifest.llamaConfig();
    MappedWeights weights =
        MappedWeights.map(BundleFormat.file(dir, manifest.weights(), "weights"));
    Map<String, DecoderSession> sessions = new LinkedHashMap<>();
    Map<String, DecoderHead> heads = new LinkedHashMap<>();
    try {
      for (DecoderManifest.Subnet s : manifest.subnets()) {
        if (load.test(s.name())) {
          s.spec().checkFits(config);
          String headGraph = DecoderManifest.headGraph(s.precision());
          DecoderHead head = headGraph == null ? null : heads.get(s.precision());
          if (headGraph != null && head == null) {
            head =
                DecoderHead.open(
                    BundleFormat.file(dir, headGraph, "head of " + s.precision()),
                    weights,
                    sessionConfig);
            heads.put(s.precision(), head);
          }
          sessions.put(
              s.name(),
              DecoderSession.open(
                  BundleFormat.file(dir, s.graph(), "graph of " + s.name()),
                  weights,
                  sessionConfig,
                  config,
                  s.spec(),
                  head));
        }
      }
      if (sessions.isEmpty()) {
        throw new IllegalArgumentException(
            "no sub-network of " + manifest.name() + " selected to load");
      }
      return new ElasticDecoder(
          manifest,
          config,
          weights,
          Map.copyOf(sessions),
          Map.copyOf(heads),
          DecoderTokenizer.load(BundleFormat.file(dir, manifest.tokenizer(), "tokenizer")));
    } catch (IOException | OrtException | RuntimeException e) {
      closeAll(sessions, heads);
      throw e;
    }
  }

  private static void closeAll(Map<String, DecoderSession> sessions, Map<String, DecoderHead> heads)
      throws OrtException {
    for (DecoderSession s : sessions.values()) {
      s.close();
    }
    for (DecoderHead h : heads.values()) {
      h.close();
    }
  }

  public DecoderManifest manifest() {
    return manifest;
  }

  public LlamaConfig config() {
    return config;
  }

  public DecoderTokenizer tokenizer() {
    return tokenizer;
  }

  /** Loaded sub-networks in manifest order (largest first). */
  public List<DecoderManifest.Subnet> subnets() {
    return manifest.subnets().stream().filter(s -> sessions.containsKey(s.name())).toList();
  }

  /** The session of {@code subnet}; {@link IllegalArgumentException} when it is not loaded. */
  public DecoderSession session(String subnet) {
    DecoderSession session = sessions.get(subnet);
    if (session == null) {
      throw new IllegalArgumentException(
          "sub-network '" + subnet + "' is not loaded; loaded: " + sessions.keySet());
    }
    return session;
  }

  /** Bytes of the shared weight mapping. */
  public long weightBytes() {
    return weights.sizeBytes();
  }

  @Override
  public void close() throws OrtException {
    closeAll(sessions, heads);
    tokenizer.close();
  }
}
