package io.flexserve.models.llm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.runtime.SharedWeightSession;
import io.flexserve.models.weights.MappedWeights;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One decoder sub-network graph (see {@code DecoderGraph}) open in ONNX Runtime. A step takes new
 * tokens and the cache of earlier ones and returns logits plus the grown cache; prefill and decode
 * are the same call with S prompt tokens or one. {@link #step} may run concurrently on different
 * caches; a cache must not be used by two steps at once.
 */
public final class DecoderSession implements AutoCloseable {
  private final OrtEnvironment env;
  private final SharedWeightSession.Opened opened;
  private final DecoderHead head; // null: the graph computes its own logits
  private final LlamaConfig config;
  private final DecoderSubnet subnet;

  private DecoderSession(
      OrtEnvironment env,
      SharedWeightSession.Opened opened,
      DecoderHead head,
      LlamaConfig config,
      DecoderSubnet subnet) {
    this.env = env;
    this.opened = opened;
    this.head = head;
    this.config = config;
    this.subnet = subnet;
  }

  /**
   * Opens {@code graph}, the graph of {@code subnet}, whose weights are external data in the file
   * behind {@code weights}.
   */
  public static DecoderSession open(
      Path graph,
      MappedWeights weights,
      SessionConfig sessions,
      LlamaConfig config,
      DecoderSubnet subnet)
      throws IOException, OrtException {
    return open(graph, weights, sessions, config, subnet, null);
  }

  /**
   * As {@link #open(Path, MappedWeights, SessionConfig, LlamaConfig, DecoderSubnet)} for a graph
   * that ends at the hidden state, whose logits {@code head} computes (a quantized entry; the head
   * is shared, not closed by this session).
   */
  public static DecoderSession open(
      Path graph,
      MappedWeights weights,
      SessionConfig sessions,
      LlamaConfig config,
      DecoderSubnet subnet,
      DecoderHead head)
      throws IOException, OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return new DecoderSession(
        env,
        SharedWeightSession.open(env, graph, weights, sessions.toOptions()),
        head,
        config,
        subnet);
  }

  public DecoderSubnet subnet() {
    return subnet;
  }

  public LlamaConfig config() {
    return config;
  }

  /** A cache of length 0 for {@code batch} rows: the past of a prefill. */
  public KvCache emptyCache(int batch) throws OrtException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    for (DecoderSubnet.Layer layer : subnet.layers()) {
      long[] shape = {batch, layer.kvGroups(), 0, config.headDim()};
      tensors.put(
          "past_key." + layer.index(),
          OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape));
      tensors.put(
          "past_value." + layer.index(),
          OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape));
    }
    List<OnnxTensor> owned = List.copyOf(tensors.values());
    return new KvCache(
        batch,
        0,
        tensors,
        () -> {
          for (OnnxTensor t : owned) {
            t.close();
          }
        });
  }

  /**
   * What one step returns.
   *
   * @param logits {@code [B, kept, V]} row-major
   * @param kept positions per row that have logits (the last {@code kept} of the step)
   * @param cache the cache after this step, {@code past.length() + S} long; the caller closes it
   */
  public record Step(float[] logits, int kept, KvCache cache) {}

  /**
   * Runs S new tokens per row.
   *
   * @param ids {@code [B, S]} token ids, row-major
   * @param positions {@code [B, S]} absolute positions (for RoPE)
   * @param bias {@code [B, S, past.length() + S]} additive attention bias, see {@code
   *     AttentionBias}
   * @param past the cache of earlier positions; not closed by this call (the caller usually closes
   *     it next)
   * @param logitsToKeep how many of the last positions need logits
   */
  public Step step(
      long[] ids, long[] positions, float[] bias, int seq, KvCache past, int logitsToKeep)
      throws OrtException {
    OrtSession.Result result = run(ids, positions, bias, seq, past, logitsToKeep);
    try {
      Map<String, OnnxTensor> present = new LinkedHashMap<>();
      float[] logits = null;
      for (Map.Entry<String, OnnxValue> e : result) {
        String name = e.getKey();
        if (name.equals("logits")) {
          logits = floats(e.getValue());
        } else if (name.equals(DecoderGraph.HIDDEN)) {
          logits = head.logits((OnnxTensor) e.getValue());
        } else if (name.startsWith("present_")) {
          present.put("past_" + name.substring("present_".length()), (OnnxTensor) e.getValue());
        }
      }
      int kept = logits.length / (past.batch() * config.vocabSize());
      return new Step(
          logits, kept, new KvCache(past.batch(), past.length() + seq, present, result));
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
  }

  /**
   * Every graph output of a prefill of one sequence, flattened row-major: for probe graphs
   * (importance ranking).
   */
  public Map<String, float[]> probe(long[] ids) throws OrtException {
    long[] positions = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      positions[i] = i;
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    try (KvCache empty = emptyCache(1);
        OrtSession.Result result =
            run(ids, positions, AttentionBias.causal(0, ids.length), ids.length, empty, 1)) {
      for (Map.Entry<String, OnnxValue> e : result) {
        out.put(e.getKey(), floats(e.getValue()));
      }
    }
    return out;
  }

  private OrtSession.Result run(
      long[] ids, long[] positions, float[] bias, int seq, KvCache past, int logitsToKeep)
      throws OrtException {
    int batch = past.batch();
    int total = past.length() + seq;
    if (ids.length != batch * seq
        || positions.length != ids.length
        || bias.length != batch * seq * total) {
      throw new IllegalArgumentException(
          "step inputs do not match batch "
              + batch
              + " × "
              + seq
              + " over "
              + total
              + " positions");
    }
    Map<String, OnnxTensor> inputs = new HashMap<>(past.tensors());
    try (OnnxTensor idT =
            OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq});
        OnnxTensor posT =
            OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch, seq});
        OnnxTensor biasT =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(bias), new long[] {batch, seq, total});
        OnnxTensor keepT =
            OnnxTensor.createTensor(
                env, LongBuffer.wrap(new long[] {logitsToKeep}), new long[] {1})) {
      inputs.put("input_ids", idT);
      inputs.put("position_ids", posT);
      inputs.put("attention_bias", biasT);
      inputs.put("logits_to_keep", keepT);
      return opened.session().run(inputs);
    }
  }

  static float[] floats(OnnxValue value) {
    FloatBuffer fb = ((OnnxTensor) value).getFloatBuffer();
    float[] values = new float[fb.remaining()];
    fb.get(values);
    return values;
  }

  @Override
  public void close() throws OrtException {
    opened.close();
  }
}
