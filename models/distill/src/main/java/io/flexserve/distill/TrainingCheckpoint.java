package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.weights.StagedDirectory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A resumable training state: the student's tensors, the optimiser's moments, and where the run
 * stood. Written to a sibling directory and renamed into place, so a run killed while checkpointing
 * leaves the previous checkpoint whole. Data order is a function of (seed, step), so nothing else
 * needs saving for a resumed run to continue exactly.
 *
 * <pre>
 *   state.json    {@link State}
 *   tensors.bin   for each key in state.keys: the parameter, then its first and second moments (float32, little-endian)
 * </pre>
 */
final class TrainingCheckpoint {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param bundle the source bundle's absolute path; a checkpoint resumes only the same bundle
   * @param seed the run's seed; a checkpoint resumes only the same seed
   * @param step steps done
   * @param tokens student tokens seen
   * @param seconds training wall time spent
   * @param keys the trained tensors, in file order
   */
  record State(
      String bundle, long seed, int step, long tokens, double seconds, List<String> keys) {}

  private TrainingCheckpoint() {}

  static void save(Path dir, State state, Map<String, NDArray> parameters, AdamW optimizer)
      throws IOException {
    Path staging = dir.resolveSibling(dir.getFileName() + ".writing");
    StagedDirectory.deleteRecursively(staging);
    Files.createDirectories(staging);
    Files.writeString(staging.resolve("state.json"), JSON.writeValueAsString(state));
    try (OutputStream out =
        new java.io.BufferedOutputStream(
            Files.newOutputStream(staging.resolve("tensors.bin")), 1 << 20)) {
      for (String key : state.keys()) {
        for (NDArray a :
            List.of(parameters.get(key), optimizer.first().get(key), optimizer.second().get(key))) {
          ByteBuffer bytes =
              ByteBuffer.allocate(Math.toIntExact(a.size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
          bytes.asFloatBuffer().put(a.toFloatArray());
          out.write(bytes.array());
        }
      }
    }
    StagedDirectory.deleteRecursively(dir);
    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve("state.json"))
        && Files.isRegularFile(dir.resolve("tensors.bin"));
  }

  static State state(Path dir) throws IOException {
    return JSON.readValue(dir.resolve("state.json").toFile(), State.class);
  }

  /**
   * Loads the tensors of {@code dir} into {@code parameters} and the optimiser's moments, in place.
   */
  static void restore(Path dir, State state, Map<String, NDArray> parameters, AdamW optimizer)
      throws IOException {
    try (InputStream in =
        new java.io.BufferedInputStream(
            Files.newInputStream(dir.resolve("tensors.bin")), 1 << 20)) {
      DataInputStream data = new DataInputStream(in);
      for (String key : state.keys()) {
        NDArray p = parameters.get(key);
        if (p == null) {
          throw new IOException("checkpoint tensor '" + key + "' is not a tensor of this bundle");
        }
        for (NDArray a : List.of(p, optimizer.first().get(key), optimizer.second().get(key))) {
          byte[] raw = new byte[Math.toIntExact(a.size() * 4)];
          data.readFully(raw);
          float[] values = new float[(int) a.size()];
          ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
          a.set(values);
        }
      }
      if (data.read() != -1) {
        throw new IOException("checkpoint " + dir + " holds more data than its tensors");
      }
    }
  }
}
