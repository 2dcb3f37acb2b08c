package io.flexserve.models.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Appends float32 tensors (and packed byte tensors) to a weight file and returns where each one
 * landed. Closing the writer flushes the file; callers write to a temporary path and move it into
 * place so a reader never sees half a file.
 */
public final class WeightFileWriter implements AutoCloseable {
  /** Alignment of every tensor, in bytes: a cache line, and more than any SIMD load needs. */
  public static final int ALIGNMENT = 64;

  private final OutputStream out;
  private long position;

  public WeightFileWriter(Path file) throws IOException {
    this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
  }

  /** Writes {@code values} (row-major) and returns its location in the file. */
  public TensorLocation write(float[] values) {
    try {
      pad();
      long offset = position;
      ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(values);
      out.write(bytes.array());
      position += bytes.capacity();
      return new TensorLocation(offset, values.length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes raw bytes (packed integer codes) and returns their location, counted in 4-byte words:
   * the tail is zero-padded to a whole word, and readers declare the exact byte length they use.
   */
  public TensorLocation write(byte[] values) {
    try {
      pad();
      long offset = position;
      int words = (values.length + 3) / 4;
      out.write(values);
      out.write(new byte[words * 4 - values.length]);
      position += words * 4L;
      return new TensorLocation(offset, words);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void pad() throws IOException {
    int padding = (int) ((ALIGNMENT - position % ALIGNMENT) % ALIGNMENT);
    out.write(new byte[padding]);
    position += padding;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
