package io.flexserve.models.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;
import io.flexserve.models.onnx.proto.Onnx.StringStringEntryProto;
import io.flexserve.models.onnx.proto.Onnx.TensorProto;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.TensorLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens an ONNX model whose initializers are external data in a weight file, backing every such
 * initializer with a view into the already-mapped {@link MappedWeights} instead of letting ONNX
 * Runtime load its own copy.
 */
public final class SharedWeightSession {
  private SharedWeightSession() {}

  /**
   * What {@link #open} returns: the session plus the tensors that must stay open as long as it
   * does.
   */
  public record Opened(OrtSession session, List<OnnxTensor> initializers) implements AutoCloseable {
    @Override
    public void close() throws OrtException {
      session.close();
      for (OnnxTensor t : initializers) {
        t.close();
      }
    }
  }

  /**
   * Opens {@code model}, sharing its external initializers with {@code weights}.
   *
   * <p>Pre-packing is off for float32 graphs: it would give each session a private re-laid-out copy
   * of every weight, defeating the sharing. Graphs with {@code MatMulNBits} (quantized menu
   * entries) keep it on: without it the op dequantizes its whole weight on every call, 35–65×
   * slower than float32 (BENCHMARKS.md). Their session then holds its own packed copy of the codes
   * it reads, built at load. Those codes, scales and zero points are left for ONNX Runtime to read
   * from the weight file itself: it frees what it read once the packed copy exists, where a view of
   * the shared mapping would stay resident after pre-packing touched it.
   *
   * @param options caller's options (threads, optimisation level, execution provider); this method
   *     adds the initializers and the pre-packing setting, so use a fresh options object per call
   */
  public static Opened open(
      OrtEnvironment env, Path model, MappedWeights weights, OrtSession.SessionOptions options)
      throws IOException, OrtException {
    ModelProto proto;
    try (InputStream in = Files.newInputStream(model)) {
      proto = ModelProto.parseFrom(in);
    }
    List<OnnxTensor> views = new ArrayList<>();
    try {
      boolean quantized =
          proto.getGraph().getNodeList().stream()
              .anyMatch(n -> n.getOpType().equals("MatMulNBits"));
      java.util.Set<String> checked = new java.util.HashSet<>();
      for (TensorProto t : proto.getGraph().getInitializerList()) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
          continue;
        }
        // ONNX Runtime opens the file a quantized graph's packed tensors name: it must be the
        // bundle's own (every
        // initializer names the same one or two files: each is resolved once)
        String location = externalLocation(t);
        if (checked.add(String.valueOf(location))) {
          BundleFormat.file(
              model.toAbsolutePath().getParent(),
              location,
              "external data of " + t.getName() + " in " + model.getFileName());
        }
        if (quantized && packedForMatMulNBits(t)) {
          continue;
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        OnnxTensor view = OnnxTensor.createTensor(env, weights.view(location(t)), dims);
        views.add(view);
        options.addInitializer(t.getName(), view);
      }
      options.addConfigEntry("session.disable_prepacking", quantized ? "0" : "1");
      return new Opened(env.createSession(model.toString(), options), List.copyOf(views));
    } catch (OrtException | RuntimeException e) {
      for (OnnxTensor v : views) {
        v.close();
      }
      throw e;
    }
  }

  /**
   * MatMulNBits' codes and zero points (uint8) and scales ({@code *.nb_scales}, see
   * QuantizedWeights).
   */
  private static boolean packedForMatMulNBits(TensorProto t) {
    return t.getDataType() == TensorProto.DataType.UINT8_VALUE
        || t.getName().endsWith(".nb_scales");
  }

  private static String externalLocation(TensorProto t) {
    return t.getExternalDataList().stream()
        .filter(e -> e.getKey().equals("location"))
        .map(StringStringEntryProto::getValue)
        .findFirst()
        .orElse(null);
  }

  private static TensorLocation location(TensorProto t) {
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "offset" -> offset = Long.parseLong(e.getValue());
        case "length" -> length = Long.parseLong(e.getValue());
        default -> {}
      }
    }
    if (length < 0 || length % 4 != 0) {
      throw new IllegalArgumentException(
          "initializer " + t.getName() + " has no float32 length in its external data");
    }
    return new TensorLocation(offset, length / 4);
  }
}
