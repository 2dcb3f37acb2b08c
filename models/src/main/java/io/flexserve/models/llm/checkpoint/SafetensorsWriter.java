package io.flexserve.models.llm.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Streams tensors into a safetensors file one at a time: the header is known from the shapes alone,
 * so a generator need hold only the tensor being written, which keeps a 100M-parameter synthetic
 * model to one table in memory.
 */
public final class SafetensorsWriter {
  private static final int BUFFER = 1 << 22;

  /** One tensor to write, in the order written. */
  public record Entry(String name, long[] shape) {
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  /** Produces the values of one entry when its turn comes. */
  public interface Source {
    float[] values(Entry entry) throws IOException;
  }

  private SafetensorsWriter() {}

  public static int width(String dtype) {
    switch (dtype) {
      case "F32":
        return 4;
      case "F16":
      case "BF16":
        return 2;
      default:
        throw new IllegalArgumentException("can only write F32, F16 or BF16, not " + dtype);
    }
  }

  public static void write(Path file, List<Entry> entries, String dtype, Source source)
      throws IOException {
    int width = width(dtype);
    byte[] header = header(entries, dtype, width);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel out =
          FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer start = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        drain(start.putLong(header.length).put(header), out);
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        short[] halves = width == 2 ? new short[BUFFER / 2] : null;
        for (Entry e : entries) {
          float[] values = source.values(e);
          if (values == null || values.length != e.elements()) {
            throw new IllegalArgumentException(
                "tensor "
                    + e.name()
                    + " has "
                    + (values == null ? "no" : values.length)
                    + " values but shape "
                    + Arrays.toString(e.shape())
                    + " holds "
                    + e.elements());
          }
          encode(values, dtype, buffer, halves, out);
        }
        drain(buffer, out);
      }
      move(temp, file);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Header JSON padded with spaces so the data section starts 8-byte aligned, as the reference
   * writer does.
   */
  private static byte[] header(List<Entry> entries, String dtype, int width) {
    ObjectNode root = JsonFields.MAPPER.createObjectNode();
    root.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode t = root.putObject(e.name());
      t.put("dtype", dtype);
      Arrays.stream(e.shape()).forEach(t.putArray("shape")::add);
      long end = offset + e.elements() * width;
      t.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private static void encode(
      float[] values, String dtype, ByteBuffer buffer, short[] halves, FileChannel out)
      throws IOException {
    int width = width(dtype);
    for (int done = 0; done < values.length; ) {
      if (buffer.remaining() < width) {
        drain(buffer, out);
      }
      int n = Math.min(values.length - done, buffer.remaining() / width);
      if (width == 4) {
        buffer.asFloatBuffer().put(values, done, n);
      } else {
        boolean bf16 = dtype.equals("BF16");
        for (int i = 0; i < n; i++) {
          halves[i] =
              bf16
                  ? HalfFloats.floatToBf16(values[done + i])
                  : HalfFloats.floatToF16(values[done + i]);
        }
        buffer.asShortBuffer().put(halves, 0, n);
      }
      buffer.position(buffer.position() + n * width);
      done += n;
    }
  }

  private static void drain(ByteBuffer buffer, FileChannel out) throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
    buffer.clear();
  }

  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
