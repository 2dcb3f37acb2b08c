package io.flexserve.distill;

import io.flexserve.models.onnx.Initializers;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;
import io.flexserve.models.weights.TensorLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors of a bundle's {@code weights.bin}, found through its full sub-network's graph: that
 * graph names every tensor at full size with its byte offset, so it is the weight file's table of
 * contents for any bundle kind. Distillation reads the tensors here and writes trained values back
 * at the same offsets, so every graph of the bundle (each reading prefixes of the same tensors)
 * stays valid unchanged.
 */
final class BundleTensors {
  private final Map<String, TensorLocation> locations; // key → where its full tensor lives

  private BundleTensors(Map<String, TensorLocation> locations) {
    this.locations = locations;
  }

  /**
   * The table of contents of {@code weightFile}, read from {@code fullGraph}; every tensor must lie
   * inside the file.
   */
  static BundleTensors of(Path fullGraph, Path weightFile) throws IOException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(fullGraph)) {
      model = ModelProto.parseFrom(in);
    }
    Map<String, TensorLocation> locations = Initializers.externalLocations(model.getGraph());
    long size = Files.size(weightFile);
    for (Map.Entry<String, TensorLocation> e : locations.entrySet()) {
      if (e.getValue().offset() + e.getValue().bytes() > size) {
        throw new IOException(
            "tensor '"
                + e.getKey()
                + "' of "
                + fullGraph.getFileName()
                + " ends past the end of "
                + weightFile.getFileName());
      }
    }
    if (locations.isEmpty()) {
      throw new IOException(
          fullGraph.getFileName() + " reads no tensor from " + weightFile.getFileName());
    }
    return new BundleTensors(Map.copyOf(locations));
  }

  boolean has(String key) {
    return locations.containsKey(key);
  }

  /** True when both keys name the same bytes (a tied LM head). */
  boolean sameBytes(String a, String b) {
    return has(a) && has(b) && locations.get(a).equals(locations.get(b));
  }

  /** The full values of each of {@code keys}, read from {@code weightFile}. */
  Map<String, float[]> read(Path weightFile, Iterable<String> keys) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (FileChannel channel = FileChannel.open(weightFile, StandardOpenOption.READ)) {
      for (String key : keys) {
        TensorLocation at = location(key);
        ByteBuffer bytes = ByteBuffer.allocate((int) at.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(bytes, at.offset());
        float[] values = new float[(int) at.floats()];
        bytes.flip().asFloatBuffer().get(values);
        out.put(key, values);
      }
    }
    return out;
  }

  /**
   * Overwrites each tensor of {@code values} in {@code weightFile} (a copy of the bundle's) at its
   * offset.
   */
  void write(Path weightFile, Map<String, float[]> values) throws IOException {
    try (FileChannel channel = FileChannel.open(weightFile, StandardOpenOption.WRITE)) {
      for (Map.Entry<String, float[]> e : values.entrySet()) {
        TensorLocation at = location(e.getKey());
        if (e.getValue().length != at.floats()) {
          throw new IllegalArgumentException(
              "tensor '"
                  + e.getKey()
                  + "' has "
                  + e.getValue().length
                  + " values, the file "
                  + at.floats());
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) at.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(e.getValue());
        long position = at.offset();
        while (bytes.hasRemaining()) {
          position += channel.write(bytes, position);
        }
      }
      channel.force(true);
    }
  }

  private TensorLocation location(String key) {
    TensorLocation at = locations.get(key);
    if (at == null) {
      throw new IllegalArgumentException("the bundle's weight file has no tensor '" + key + "'");
    }
    return at;
  }
}
