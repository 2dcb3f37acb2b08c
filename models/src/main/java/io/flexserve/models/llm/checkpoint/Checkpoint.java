package io.flexserve.models.llm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Hugging Face Llama-family checkpoint directory: {@code config.json}, {@code tokenizer.json},
 * and weights either sharded ({@code model.safetensors.index.json} maps each tensor to its file) or
 * in every {@code *.safetensors} file of the directory. Opening reads and checks the config and
 * every safetensors header, not the weights; {@link #validate()} then checks the tensor set against
 * the config, so a converter can fail before it writes. Thread-safe.
 */
public final class Checkpoint implements Closeable {
  public static final String CONFIG = "config.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String INDEX = "model.safetensors.index.json";

  private final Path directory;
  private final LlamaConfig config;
  private final List<SafetensorsFile> files;

  /** Tensor name → the file holding it. */
  private final Map<String, SafetensorsFile> owner;

  /** Where a missing tensor was looked for, for messages. */
  private final String lookedIn;

  private Checkpoint(
      Path directory,
      LlamaConfig config,
      List<SafetensorsFile> files,
      Map<String, SafetensorsFile> owner,
      String lookedIn) {
    this.directory = directory;
    this.config = config;
    this.files = files;
    this.owner = owner;
    this.lookedIn = lookedIn;
  }

  /** Opens {@code dir}, reading {@code config.json} and every safetensors header. */
  public static Checkpoint open(Path dir) throws CheckpointException {
    if (!Files.exists(dir)) {
      throw new CheckpointException(dir + ": checkpoint directory does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(
          dir
              + ": not a directory (a checkpoint is a directory with "
              + CONFIG
              + ", "
              + TOKENIZER
              + " and *.safetensors)");
    }
    if (!Files.isRegularFile(dir.resolve(CONFIG))) {
      throw new CheckpointException(CONFIG + ": missing from checkpoint directory " + dir);
    }
    LlamaConfig config = LlamaConfig.read(dir.resolve(CONFIG));
    if (!Files.isRegularFile(dir.resolve(TOKENIZER))) {
      throw new CheckpointException(TOKENIZER + ": missing from checkpoint directory " + dir);
    }
    List<SafetensorsFile> files = new ArrayList<>();
    try {
      Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
      String lookedIn;
      if (Files.exists(dir.resolve(INDEX))) {
        openSharded(dir, files, owner);
        lookedIn = INDEX;
      } else {
        openAll(dir, files, owner);
        lookedIn =
            files.stream()
                .map(f -> f.path().getFileName().toString())
                .collect(Collectors.joining(", "));
      }
      return new Checkpoint(
          dir, config, List.copyOf(files), Collections.unmodifiableMap(owner), lookedIn);
    } catch (CheckpointException | RuntimeException e) {
      closeAll(files, e);
      throw e;
    }
  }

  private static void openSharded(
      Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner)
      throws CheckpointException {
    String json;
    try {
      json = Files.readString(dir.resolve(INDEX), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CheckpointException(INDEX + ": cannot read: " + e.getMessage(), e);
    }
    JsonNode map = JsonFields.parseObject(json, INDEX).get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(
          INDEX + ": missing field weight_map (an object of tensor name → shard file)");
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String tensor = e.getKey();
      if (!e.getValue().isTextual()) {
        throw new CheckpointException(
            INDEX + ": field weight_map." + tensor + " must be a file name, got " + e.getValue());
      }
      String shardName = e.getValue().textValue();
      SafetensorsFile shard = shards.get(shardName);
      if (shard == null) {
        Path base = dir.toAbsolutePath().normalize();
        Path shardPath = base.resolve(shardName).normalize();
        if (!base.equals(shardPath.getParent())) {
          throw new CheckpointException(
              INDEX
                  + ": weight_map."
                  + tensor
                  + " names "
                  + shardName
                  + ", which is not a file in the checkpoint directory");
        }
        if (!Files.isRegularFile(shardPath)) {
          throw new CheckpointException(
              INDEX
                  + ": shard "
                  + shardName
                  + " (holding tensor "
                  + tensor
                  + ") does not exist in "
                  + dir);
        }
        shard = SafetensorsFile.open(shardPath);
        files.add(shard);
        shards.put(shardName, shard);
      }
      if (!shard.tensors().containsKey(tensor)) {
        throw new CheckpointException(
            shardName + ": missing tensor " + tensor + " (listed there by " + INDEX + ")");
      }
      owner.put(tensor, shard);
    }
  }

  private static void openAll(
      Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner)
      throws CheckpointException {
    List<Path> paths = new ArrayList<>();
    try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*.safetensors")) {
      found.forEach(paths::add);
    } catch (IOException e) {
      throw new CheckpointException(dir + ": cannot list *.safetensors: " + e.getMessage(), e);
    }
    if (paths.isEmpty()) {
      throw new CheckpointException(
          dir + ": no weights (neither " + INDEX + " nor any *.safetensors file)");
    }
    Collections.sort(paths);
    for (Path p : paths) {
      SafetensorsFile f = SafetensorsFile.open(p);
      files.add(f);
      for (String tensor : f.tensors().keySet()) {
        SafetensorsFile before = owner.putIfAbsent(tensor, f);
        if (before != null) {
          throw new CheckpointException(
              p.getFileName()
                  + ": tensor "
                  + tensor
                  + " is also in "
                  + before.path().getFileName());
        }
      }
    }
  }

  private static void closeAll(List<SafetensorsFile> files, Exception cause) {
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
    }
  }

  public LlamaConfig config() {
    return config;
  }

  public Path directory() {
    return directory;
  }

  public Path tokenizerJson() {
    return directory.resolve(TOKENIZER);
  }

  public boolean has(String tensor) {
    return owner.containsKey(tensor);
  }

  public Set<String> tensorNames() {
    return owner.keySet();
  }

  /** Header entry of {@code name}: dtype, shape and byte range, without reading data. */
  public SafetensorsFile.TensorInfo info(String name) throws CheckpointException {
    return file(name).tensors().get(name);
  }

  /**
   * One tensor as float32.
   *
   * @param expectedShape checked against the stored shape before any data is read; give none to
   *     accept any shape
   */
  public float[] tensor(String name, long... expectedShape) throws CheckpointException {
    SafetensorsFile f = file(name);
    if (expectedShape.length > 0) {
      checkShape(f, name, expectedShape);
    }
    return f.floats(name);
  }

  /**
   * Checks that every tensor {@code config.json} implies exists, has the right shape and a dtype we
   * convert, without reading weights. Reports the first problem in storage order. Extra tensors
   * (e.g. a tied {@code lm_head.weight} saved anyway) are allowed.
   */
  public void validate() throws CheckpointException {
    for (Map.Entry<String, long[]> e : HfTensorNames.expectedShapes(config).entrySet()) {
      SafetensorsFile f = file(e.getKey());
      checkShape(f, e.getKey(), e.getValue());
      String dtype = f.tensors().get(e.getKey()).dtype();
      if (!SafetensorsFile.convertible(dtype)) {
        throw new CheckpointException(
            label(f)
                + ": tensor "
                + e.getKey()
                + " has dtype "
                + dtype
                + "; only F32, F16 and BF16 are supported");
      }
    }
  }

  private SafetensorsFile file(String name) throws CheckpointException {
    SafetensorsFile f = owner.get(name);
    if (f == null) {
      throw new CheckpointException(
          lookedIn + ": missing tensor " + name + " (checkpoint " + directory + ")");
    }
    return f;
  }

  private static void checkShape(SafetensorsFile f, String name, long[] expected)
      throws CheckpointException {
    long[] actual = f.tensors().get(name).shape();
    if (!Arrays.equals(actual, expected)) {
      throw new CheckpointException(
          label(f)
              + ": "
              + name
              + " has shape "
              + Arrays.toString(actual)
              + ", expected "
              + Arrays.toString(expected));
    }
  }

  private static String label(SafetensorsFile f) {
    return f.path().getFileName().toString();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
