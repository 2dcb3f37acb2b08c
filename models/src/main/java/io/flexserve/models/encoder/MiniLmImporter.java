package io.flexserve.models.encoder;

import static io.flexserve.models.weights.RowMajor.transpose;

import io.flexserve.models.onnx.Initializers;
import io.flexserve.models.onnx.proto.Onnx.GraphProto;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;
import io.flexserve.models.onnx.proto.Onnx.NodeProto;
import io.flexserve.models.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a BERT encoder exported to ONNX by PyTorch (as all-MiniLM-L6-v2 is) into {@link
 * EncoderWeights}.
 *
 * <p>The exporter names biases and norms after the Hugging Face modules ({@code
 * encoder.layer.3.intermediate.dense.bias}) but gives MatMul weights anonymous names ({@code
 * onnx::MatMul_896}). Each such weight feeds a MatMul whose output is added to exactly one named
 * bias, so the bias name identifies the weight: we walk MatMul → Add and take the module name from
 * the bias.
 */
public final class MiniLmImporter {
  private static final Pattern BIAS = Pattern.compile("(.+)\\.bias");
  private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.");

  private MiniLmImporter() {}

  /**
   * Reads the model and returns its weights in storage layout.
   *
   * @param onnx the serialized ONNX model; read fully, not closed
   * @param heads attention heads per layer (not recoverable from weight shapes alone)
   * @param maxSequenceLength truncation length the encoder is used with
   * @throws IOException when the stream fails
   * @throws IllegalArgumentException when a weight cannot be found or has the wrong shape
   */
  public static EncoderWeights read(InputStream onnx, int heads, int maxSequenceLength)
      throws IOException {
    GraphProto graph = ModelProto.parseFrom(onnx).getGraph();
    Map<String, TensorProto> tensors = Initializers.floatTensors(graph);
    Map<String, float[]> named = new HashMap<>();
    tensors.forEach(
        (name, t) -> {
          if (!name.startsWith("onnx::")) {
            named.put(name, Initializers.floats(t));
          }
        });
    nameAnonymousMatMulWeights(graph, tensors, named);

    int[] word = dims(tensors, "embeddings.word_embeddings.weight");
    int[] pos = dims(tensors, "embeddings.position_embeddings.weight");
    int layers = countLayers(named.keySet());
    int intermediate = named.get("encoder.layer.0.intermediate.dense.bias").length;
    EncoderConfig config =
        new EncoderConfig(
            word[0], word[1], layers, heads, intermediate, pos[0], 1e-12f, maxSequenceLength);

    int h = config.hidden();
    float[] tokenType0 = new float[h];
    System.arraycopy(
        require(named, "embeddings.token_type_embeddings.weight"), 0, tokenType0, 0, h);
    List<EncoderWeights.Layer> blocks = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      String p = "encoder.layer." + l + ".";
      blocks.add(
          new EncoderWeights.Layer(
              transpose(require(named, p + "attention.self.query.weight"), h, h),
                  require(named, p + "attention.self.query.bias"),
              transpose(require(named, p + "attention.self.key.weight"), h, h),
                  require(named, p + "attention.self.key.bias"),
              transpose(require(named, p + "attention.self.value.weight"), h, h),
                  require(named, p + "attention.self.value.bias"),
              require(named, p + "attention.output.dense.weight"),
                  require(named, p + "attention.output.dense.bias"),
              require(named, p + "attention.output.LayerNorm.weight"),
                  require(named, p + "attention.output.LayerNorm.bias"),
              transpose(require(named, p + "intermediate.dense.weight"), h, intermediate),
                  require(named, p + "intermediate.dense.bias"),
              require(named, p + "output.dense.weight"), require(named, p + "output.dense.bias"),
              require(named, p + "output.LayerNorm.weight"),
                  require(named, p + "output.LayerNorm.bias")));
    }
    return new EncoderWeights(
        config,
        require(named, "embeddings.word_embeddings.weight"),
        require(named, "embeddings.position_embeddings.weight"),
        tokenType0,
        require(named, "embeddings.LayerNorm.weight"),
        require(named, "embeddings.LayerNorm.bias"),
        blocks);
  }

  /**
   * Adds {@code <module>.weight} (ONNX MatMul layout {@code [in, out]}) for every anonymous MatMul
   * weight.
   */
  private static void nameAnonymousMatMulWeights(
      GraphProto graph, Map<String, TensorProto> tensors, Map<String, float[]> named) {
    Map<String, NodeProto> consumerOf = new HashMap<>();
    for (NodeProto n : graph.getNodeList()) {
      for (String in : n.getInputList()) {
        consumerOf.putIfAbsent(in, n);
      }
    }
    for (NodeProto n : graph.getNodeList()) {
      if (!n.getOpType().equals("MatMul")
          || n.getInputCount() != 2
          || !tensors.containsKey(n.getInput(1))) {
        continue;
      }
      NodeProto add = consumerOf.get(n.getOutput(0));
      if (add == null || !add.getOpType().equals("Add")) {
        continue;
      }
      for (String in : add.getInputList()) {
        Matcher m = BIAS.matcher(in);
        if (m.matches() && named.containsKey(in)) {
          named.put(m.group(1) + ".weight", Initializers.floats(tensors.get(n.getInput(1))));
        }
      }
    }
  }

  private static int countLayers(Iterable<String> names) {
    int max = -1;
    for (String name : names) {
      Matcher m = LAYER.matcher(name);
      if (m.lookingAt()) {
        max = Math.max(max, Integer.parseInt(m.group(1)));
      }
    }
    if (max < 0) {
      throw new IllegalArgumentException("no encoder.layer.N tensors: not a BERT encoder export");
    }
    return max + 1;
  }

  private static int[] dims(Map<String, TensorProto> tensors, String name) {
    TensorProto t = tensors.get(name);
    if (t == null || t.getDimsCount() != 2) {
      throw new IllegalArgumentException("missing 2-D initializer " + name);
    }
    return new int[] {(int) t.getDims(0), (int) t.getDims(1)};
  }

  private static float[] require(Map<String, float[]> named, String name) {
    float[] v = named.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "missing weight " + name + " (is the MatMul→Add→bias pattern intact?)");
    }
    return v;
  }
}
