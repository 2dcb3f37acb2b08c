package io.flexserve.models.weights;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A weight file mapped read-only into memory: the pages are the page cache of the file, shared by
 * every session of this process (and of any other process mapping the same file). Views handed out
 * share the mapping; the mapping lives as long as this object is reachable, so the owner (the
 * loaded model) must keep it until every session using a view is closed. Thread-safe: views are
 * independent buffers over immutable memory.
 */
public final class MappedWeights {
  private final Path file;
  private final MappedByteBuffer mapping;

  private MappedWeights(Path file, MappedByteBuffer mapping) {
    this.file = file;
    this.mapping = mapping;
  }

  /** Maps {@code file}; files over 2 GiB are out of scope for the encoder bundles this serves. */
  public static MappedWeights map(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() > Integer.MAX_VALUE) {
        throw new IOException(
            "weight file over 2 GiB is not supported: " + file + " (" + channel.size() + " bytes)");
      }
      return new MappedWeights(file, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
    }
  }

  /** A direct, native-order view of one tensor (no copy). */
  public FloatBuffer view(TensorLocation location) {
    long end = location.offset() + location.bytes();
    if (end > mapping.capacity()) {
      throw new IllegalArgumentException(
          "tensor " + location + " ends past " + file + " (" + mapping.capacity() + " bytes)");
    }
    return mapping
        .slice((int) location.offset(), (int) location.bytes())
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
  }

  public long sizeBytes() {
    return mapping.capacity();
  }
}
