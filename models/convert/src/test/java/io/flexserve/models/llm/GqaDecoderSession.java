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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code GqaDecoderGraph} open in ONNX Runtime, for tests and the KV-attention comparison (not
 * product code). Two cache disciplines:
 *
 * <ul>
 *   <li>{@link #step}: like {@link DecoderSession#step}, the past is the previous step's present
 *       output (a new, longer tensor every step);
 *   <li>{@link #stepInPlace}: one buffer per layer of fixed capacity, bound as both {@code past_*}
 *       input and {@code present_*} output, so the op sees past and present share memory and writes
 *       only the new rows.
 * </ul>
 *
 * Batch rows are right-padded: row b has {@code lengths[b]} valid cached positions, its new tokens
 * go right after them. Positions for RoPE are implied by the lengths (the op computes them itself
 * with fused rotary; without it this class feeds {@code position_ids = length + s}).
 */
public final class GqaDecoderSession implements AutoCloseable {
  private final OrtEnvironment env;
  private final SharedWeightSession.Opened opened;
  private final LlamaConfig config;
  private final DecoderSubnet subnet;
  private final boolean positionIds;

  private GqaDecoderSession(
      OrtEnvironment env,
      SharedWeightSession.Opened opened,
      LlamaConfig config,
      DecoderSubnet subnet)
      throws OrtException {
    this.env = env;
    this.opened = opened;
    this.config = config;
    this.subnet = subnet;
    this.positionIds = opened.session().getInputInfo().containsKey("position_ids");
  }

  public static GqaDecoderSession open(
      Path graph,
      MappedWeights weights,
      SessionConfig sessions,
      LlamaConfig config,
      DecoderSubnet subnet)
      throws IOException, OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return new GqaDecoderSession(
        env, SharedWeightSession.open(env, graph, weights, sessions.toOptions()), config, subnet);
  }

  public LlamaConfig config() {
    return config;
  }

  /** A cache of length 0, the past of a prefill for {@link #step}. */
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
   * S new tokens for every row after {@code past} (whose rows all hold {@code past.length()}
   * positions); returns logits and the grown cache, like {@link DecoderSession#step}. The op copies
   * the past into the new present tensor.
   */
  public DecoderSession.Step step(long[] ids, int seq, KvCache past, int logitsToKeep)
      throws OrtException {
    int batch = past.batch();
    int[] lengths = new int[batch];
    Arrays.fill(lengths, past.length());
    Map<String, OnnxTensor> inputs = new HashMap<>(past.tensors());
    OrtSession.Result result =
        run(ids, lengths, seq, past.length() + seq, inputs, null, logitsToKeep);
    try {
      Map<String, OnnxTensor> present = new LinkedHashMap<>();
      float[] logits = null;
      for (Map.Entry<String, OnnxValue> e : result) {
        String name = e.getKey();
        if (name.equals("logits")) {
          logits = floats(e.getValue());
        } else if (name.startsWith("present_")) {
          present.put("past_" + name.substring("present_".length()), (OnnxTensor) e.getValue());
        }
      }
      int kept = logits.length / (batch * config.vocabSize());
      return new DecoderSession.Step(
          logits, kept, new KvCache(batch, past.length() + seq, present, result));
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
  }

  /**
   * Fixed-capacity per-layer buffers {@code [B, G_l, capacity, hd]} (direct memory), zero-filled.
   */
  public record Buffers(
      int batch, int capacity, Map<String, OnnxTensor> past, Map<String, OnnxTensor> present)
      implements AutoCloseable {
    @Override
    public void close() {
      for (OnnxTensor t : past.values()) {
        t.close();
      }
    }
  }

  public Buffers buffers(int batch, int capacity) throws OrtException {
    Map<String, OnnxTensor> past = new LinkedHashMap<>();
    Map<String, OnnxTensor> present = new LinkedHashMap<>();
    for (DecoderSubnet.Layer layer : subnet.layers()) {
      long[] shape = {batch, layer.kvGroups(), capacity, config.headDim()};
      long floats = (long) batch * layer.kvGroups() * capacity * config.headDim();
      for (String kind : new String[] {"key", "value"}) {
        FloatBuffer buffer =
            ByteBuffer.allocateDirect(Math.toIntExact(4 * floats))
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        OnnxTensor t = OnnxTensor.createTensor(env, buffer, shape);
        past.put("past_" + kind + "." + layer.index(), t);
        present.put("present_" + kind + "." + layer.index(), t);
      }
    }
    return new Buffers(batch, capacity, past, present);
  }

  /**
   * S new tokens per row into shared buffers: row b has {@code lengths[b]} valid positions before
   * the step and {@code lengths[b] + S} after (the caller tracks lengths). With S > 1 every row
   * must start empty or the batch be 1. Returns the logits {@code [B, kept, V]}.
   */
  public float[] stepInPlace(long[] ids, int[] lengths, int seq, Buffers buffers, int logitsToKeep)
      throws OrtException {
    int total = 0;
    for (int len : lengths) {
      total = Math.max(total, len + seq);
    }
    if (total > buffers.capacity()) {
      throw new IllegalArgumentException("cache capacity " + buffers.capacity() + " < " + total);
    }
    try (OrtSession.Result result =
        run(
            ids,
            lengths,
            seq,
            total,
            new HashMap<>(buffers.past()),
            buffers.present(),
            logitsToKeep)) {
      return floats(result.get("logits").orElseThrow());
    }
  }

  private OrtSession.Result run(
      long[] ids,
      int[] lengths,
      int seq,
      int total,
      Map<String, OnnxTensor> inputs,
      Map<String, OnnxTensor> pinned,
      int logitsToKeep)
      throws OrtException {
    int batch = lengths.length;
    if (ids.length != batch * seq) {
      throw new IllegalArgumentException("ids do not match batch " + batch + " × " + seq);
    }
    int[] seqlens = new int[batch];
    long[] positions = new long[batch * seq];
    for (int b = 0; b < batch; b++) {
      seqlens[b] = lengths[b] + seq - 1;
      for (int s = 0; s < seq; s++) {
        positions[b * seq + s] = lengths[b] + s;
      }
    }
    try (OnnxTensor idT =
            OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq});
        OnnxTensor posT =
            OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch, seq});
        OnnxTensor seqlensT =
            OnnxTensor.createTensor(env, IntBuffer.wrap(seqlens), new long[] {batch});
        OnnxTensor totalT =
            OnnxTensor.createTensor(env, IntBuffer.wrap(new int[] {total}), new long[0]);
        OnnxTensor keepT =
            OnnxTensor.createTensor(
                env, LongBuffer.wrap(new long[] {logitsToKeep}), new long[] {1})) {
      inputs.put("input_ids", idT);
      if (positionIds) {
        inputs.put("position_ids", posT);
      }
      inputs.put("seqlens_k", seqlensT);
      inputs.put("total_sequence_length", totalT);
      inputs.put("logits_to_keep", keepT);
      return pinned == null
          ? opened.session().run(inputs)
          : opened.session().run(inputs, Set.of("logits"), pinned);
    }
  }

  private static float[] floats(OnnxValue value) {
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
