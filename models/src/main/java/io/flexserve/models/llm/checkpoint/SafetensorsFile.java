package io.flexserve.models.llm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range in the data section, then the data section. The header is checked in
 * full on {@link #open}, so a truncated download fails there, naming the first tensor that does not
 * fit, not later mid-conversion.
 *
 * <p>Tensor data is memory-mapped on demand, one tensor at a time in mappings of at most 1 GiB, so
 * files (and tensors) over 2 GiB work and nothing is read that is not asked for. Thread-safe.
 *
 * <p><b>Why one class of 400 lines.</b> It is one format reader: the header check and the mapped
 * reads share the header's offsets and dtypes, and dtype conversion (F32 / F16 / BF16) is part of a
 * read. Split, the offsets would become API that nothing else should use.
 */
public final class SafetensorsFile implements Closeable {
  /** Largest single mapping; a multiple of every element width. */
  static final long MAP_CHUNK = 1L << 30;

  /** The safetensors reference implementation refuses larger headers too. */
  private static final long MAX_HEADER = 100L << 20;

  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
  private static final Map<String, Integer> DTYPE_BYTES =
      Map.ofEntries(
          Map.entry("BOOL", 1),
          Map.entry("U8", 1),
          Map.entry("I8", 1),
          Map.entry("F8_E5M2", 1),
          Map.entry("F8_E4M3", 1),
          Map.entry("I16", 2),
          Map.entry("U16", 2),
          Map.entry("F16", 2),
          Map.entry("BF16", 2),
          Map.entry("I32", 4),
          Map.entry("U32", 4),
          Map.entry("F32", 4),
          Map.entry("I64", 8),
          Map.entry("U64", 8),
          Map.entry("F64", 8));

  private final Path path;
  private final String label;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;

  /**
   * One header entry.
   *
   * @param shape dimensions, outermost first (row-major)
   * @param begin first byte, relative to the data section
   * @param end one past the last byte, relative to the data section
   */
  public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
    public TensorInfo {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    public long bytes() {
      return end - begin;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TensorInfo t
          && name.equals(t.name)
          && dtype.equals(t.dtype)
          && Arrays.equals(shape, t.shape)
          && begin == t.begin
          && end == t.end;
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
  }

  private SafetensorsFile(
      Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
    this.path = path;
    this.label = path.getFileName().toString();
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  /** Opens {@code file} and validates its header against the file size. */
  public static SafetensorsFile open(Path file) throws CheckpointException {
    String label = file.getFileName().toString();
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(label + ": not found at " + file, e);
    } catch (IOException e) {
      throw new CheckpointException(label + ": cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      long size = channel.size();
      if (size < 8) {
        throw new CheckpointException(
            label + ": truncated: " + size + " bytes, too short for the 8-byte header length");
      }
      long headerLength = read(channel, 0, 8).getLong(0);
      if (headerLength < 2 || headerLength > MAX_HEADER) {
        throw new CheckpointException(
            label
                + ": header length "
                + headerLength
                + " is not plausible (not a safetensors file?)");
      }
      if (headerLength > size - 8) {
        throw new CheckpointException(
            label
                + ": truncated: header needs "
                + headerLength
                + " bytes but the file has "
                + (size - 8)
                + " after the length");
      }
      ByteBuffer header = read(channel, 8, (int) headerLength);
      long dataStart = 8 + headerLength;
      Map<String, TensorInfo> tensors = parseHeader(label, header.array(), size - dataStart);
      return new SafetensorsFile(file, channel, dataStart, tensors);
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof CheckpointException c) {
        throw c;
      }
      throw new CheckpointException(label + ": cannot read: " + e, e);
    }
  }

  private static ByteBuffer read(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buffer;
  }

  private static Map<String, TensorInfo> parseHeader(String label, byte[] header, long dataSize)
      throws CheckpointException {
    JsonNode root;
    try {
      root = JsonFields.MAPPER.readTree(header);
    } catch (JsonProcessingException e) {
      throw JsonFields.malformed(label + " header", e);
    } catch (IOException e) {
      throw new CheckpointException(label + ": cannot parse header: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(label + ": header is not a JSON object");
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals("__metadata__")) {
        tensors.put(e.getKey(), tensorInfo(label, e.getKey(), e.getValue(), dataSize));
      }
    }
    return tensors;
  }

  private static TensorInfo tensorInfo(String label, String name, JsonNode entry, long dataSize)
      throws CheckpointException {
    String at = label + ": tensor " + name;
    if (!entry.isObject()) {
      throw new CheckpointException(at + ": header entry is not an object");
    }
    JsonNode dtype = entry.get("dtype");
    if (dtype == null || !dtype.isTextual()) {
      throw new CheckpointException(at + ": field dtype missing or not a string");
    }
    Integer width = DTYPE_BYTES.get(dtype.textValue());
    if (width == null) {
      throw new CheckpointException(at + ": unknown dtype '" + dtype.textValue() + "'");
    }
    long[] shape = longs(at, entry.get("shape"), "shape", -1);
    long[] offsets = longs(at, entry.get("data_offsets"), "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new CheckpointException(
          at + ": data_offsets [" + begin + ", " + end + ") end before they begin");
    }
    long needed;
    try {
      long elements = 1;
      for (long d : shape) {
        elements = Math.multiplyExact(elements, d);
      }
      needed = Math.multiplyExact(elements, (long) width);
    } catch (ArithmeticException e) {
      throw new CheckpointException(at + ": shape " + Arrays.toString(shape) + " overflows");
    }
    if (end - begin != needed) {
      throw new CheckpointException(
          at
              + ": data_offsets ["
              + begin
              + ", "
              + end
              + ") hold "
              + (end - begin)
              + " bytes but "
              + dtype.textValue()
              + " "
              + Arrays.toString(shape)
              + " needs "
              + needed);
    }
    if (end > dataSize) {
      throw new CheckpointException(
          label
              + ": truncated: tensor "
              + name
              + " needs bytes ["
              + begin
              + ", "
              + end
              + ") but the file data section has "
              + dataSize
              + " bytes");
    }
    return new TensorInfo(name, dtype.textValue(), shape, begin, end);
  }

  private static long[] longs(String at, JsonNode array, String field, int length)
      throws CheckpointException {
    String expected =
        length < 0
            ? "a list of non-negative integers"
            : "a list of " + length + " non-negative integers";
    if (array == null || !array.isArray() || (length >= 0 && array.size() != length)) {
      throw new CheckpointException(
          at + ": field " + field + " must be " + expected + ", got " + array);
    }
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = array.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new CheckpointException(
            at + ": field " + field + " must be " + expected + ", got " + array);
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** Every tensor in header order, {@code __metadata__} left out. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Path path() {
    return path;
  }

  /** Whether {@link #floats} can read {@code dtype}. */
  public static boolean convertible(String dtype) {
    return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16");
  }

  /** One tensor converted to float32, row-major as stored. F16 and BF16 widen exactly. */
  public float[] floats(String name) throws CheckpointException {
    return floats(name, MAP_CHUNK);
  }

  /**
   * As {@link #floats(String)}, mapping at most {@code chunk} bytes (a multiple of 4) at a time.
   */
  float[] floats(String name, long chunk) throws CheckpointException {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new CheckpointException(label + ": missing tensor " + name);
    }
    if (!convertible(t.dtype())) {
      throw new CheckpointException(
          label
              + ": tensor "
              + name
              + " has dtype "
              + t.dtype()
              + "; only F32, F16 and BF16 convert to float");
    }
    long elements = t.elements();
    if (elements > MAX_ARRAY) {
      throw new CheckpointException(
          label + ": tensor " + name + " has " + elements + " elements, too many for one float[]");
    }
    float[] out = new float[(int) elements];
    int width = t.dtype().equals("F32") ? 4 : 2;
    short[] scratch = width == 2 ? new short[1 << 16] : null;
    int index = 0;
    try {
      for (long done = 0; done < t.bytes(); ) {
        long length = Math.min(chunk, t.bytes() - done);
        MappedByteBuffer map =
            channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin() + done, length);
        map.order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) (length / width);
        if (width == 4) {
          map.asFloatBuffer().get(out, index, count);
        } else {
          widen(map.asShortBuffer(), t.dtype().equals("BF16"), out, index, count, scratch);
        }
        index += count;
        done += length;
      }
    } catch (IOException e) {
      throw new CheckpointException(label + ": cannot read tensor " + name + ": " + e, e);
    }
    return out;
  }

  private static void widen(
      ShortBuffer in, boolean bf16, float[] out, int at, int count, short[] scratch) {
    for (int done = 0; done < count; ) {
      int n = Math.min(scratch.length, count - done);
      in.get(scratch, 0, n);
      if (bf16) {
        for (int i = 0; i < n; i++) {
          out[at + done + i] = HalfFloats.bf16ToFloat(scratch[i]);
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[at + done + i] = HalfFloats.f16ToFloat(scratch[i]);
        }
      }
      done += n;
    }
  }

  /**
   * Writes {@code tensors} in iteration order as one safetensors file of {@code dtype} (F32, F16 or
   * BF16, rounded to nearest even), through a temporary file moved into place, so a reader never
   * sees half a file.
   *
   * @param shapes the shape of every tensor; its element count must match the array length
   */
  public static void write(
      Path file, LinkedHashMap<String, float[]> tensors, Map<String, long[]> shapes, String dtype)
      throws IOException {
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    for (Map.Entry<String, float[]> e : tensors.entrySet()) {
      long[] shape = shapes.get(e.getKey());
      if (shape == null) {
        throw new IllegalArgumentException("no shape given for tensor " + e.getKey());
      }
      entries.add(new SafetensorsWriter.Entry(e.getKey(), shape));
    }
    SafetensorsWriter.write(file, entries, dtype, entry -> tensors.get(entry.name()));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return label + " (" + tensors.size() + " tensors)";
  }
}
