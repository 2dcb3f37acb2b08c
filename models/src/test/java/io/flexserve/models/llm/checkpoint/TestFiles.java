package io.flexserve.models.llm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Test fixtures: the shared tinystories-260k checkpoint, directory copies, and hand-made
 * safetensors bytes.
 */
final class TestFiles {
  private TestFiles() {}

  /** The reference checkpoint in {@code ../shared} beside the repository. */
  static Path tinyStories() {
    Path dir = io.flexserve.models.testing.SharedData.tinyStories();
    assertTrue(
        Files.isRegularFile(dir.resolve("model.safetensors")),
        "reference checkpoint missing at " + dir);
    return dir;
  }

  /**
   * Copies the files (not subdirectories) of {@code from} into a new directory {@code to},
   * writable.
   */
  static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(f.getFileName());
        Files.copy(f, t);
        t.toFile().setWritable(true);
      }
    }
    return to;
  }

  /**
   * A safetensors file from a literal header and data section, for formats our writer refuses to
   * produce.
   */
  static void raw(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Files.write(file, b.array());
  }

  /**
   * Reads one F32 tensor by scanning the header text with a regex: deliberately independent of
   * SafetensorsFile.
   */
  static float[] manualF32(Path file, String tensor) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) b.getLong(0);
    String header = new String(all, 8, headerLength, StandardCharsets.UTF_8);
    Matcher entry =
        Pattern.compile("\"" + Pattern.quote(tensor) + "\"\\s*:\\s*\\{([^}]*)}").matcher(header);
    assertTrue(entry.find(), tensor + " not in header");
    Matcher offsets =
        Pattern.compile("\"data_offsets\"\\s*:\\s*\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]")
            .matcher(entry.group(1));
    assertTrue(offsets.find(), "no data_offsets for " + tensor);
    assertTrue(entry.group(1).contains("\"F32\""), tensor + " is not F32");
    int begin = Integer.parseInt(offsets.group(1));
    int end = Integer.parseInt(offsets.group(2));
    float[] out = new float[(end - begin) / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat(8 + headerLength + begin + 4 * i);
    }
    return out;
  }
}
