package io.flexserve.convert.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.HfTensorNames;
import io.flexserve.models.llm.checkpoint.JsonFields;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.llm.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Writes random-weight checkpoints in the Hugging Face Llama layout, so speed and memory tests can
 * run models of any size without downloading one. The output is a real checkpoint: {@link
 * Checkpoint#open} and {@link Checkpoint#validate} accept it, its {@code tokenizer.json} loads in
 * DJL / tokenizers, and transformers could load it.
 *
 * <p>Weights are seeded per tensor name, so a tensor's values depend on the seed alone, not on
 * sharding or order. Linear weights have standard deviation {@code 1/sqrt(fan_in)} and norms are 1,
 * so each projection preserves the scale of its input and activations stay finite through any
 * number of layers (the residual stream grows like {@code sqrt(layers)}); logits come out with a
 * standard deviation near 1. Values are Irwin–Hall sums of four uniforms (near-normal, bounded at
 * ±3.5σ): one {@code nextLong} per value keeps a 100M-parameter model to seconds.
 */
public final class SyntheticCheckpoint {
  private SyntheticCheckpoint() {}

  /**
   * Writes a checkpoint of {@code config} into {@code dir}, which must not exist or be empty. Files
   * are written into a staging directory beside it and moved into place at the end, so {@code dir}
   * never holds half a checkpoint.
   *
   * @param shards 1 writes {@code model.safetensors}; more writes {@code
   *     model-0000k-of-0000n.safetensors} of about equal size plus {@code
   *     model.safetensors.index.json}
   * @param dtype F32, F16 or BF16
   */
  public static void write(Path dir, LlamaConfig config, long seed, int shards, String dtype)
      throws IOException {
    SafetensorsWriter.width(dtype);
    Map<String, long[]> shapes = HfTensorNames.expectedShapes(config);
    if (shards < 1 || shards > shapes.size()) {
      throw new IllegalArgumentException(
          "shards must be in 1.." + shapes.size() + " for this config, got " + shards);
    }
    String tokenizer = SyntheticTokenizer.json(config.vocabSize());
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new IOException(target + ": already exists and is not an empty directory");
    }
    Files.createDirectories(target.getParent());
    Path staging =
        Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".staging-");
    try {
      Files.writeString(
          staging.resolve(Checkpoint.CONFIG),
          config.toJson(torchDtype(dtype)),
          StandardCharsets.UTF_8);
      Files.writeString(staging.resolve(Checkpoint.TOKENIZER), tokenizer, StandardCharsets.UTF_8);
      List<List<SafetensorsWriter.Entry>> plan = plan(shapes, shards);
      ObjectNode weightMap = JsonFields.MAPPER.createObjectNode();
      long totalBytes = 0;
      for (int s = 0; s < plan.size(); s++) {
        String file =
            shards == 1
                ? "model.safetensors"
                : String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
        for (SafetensorsWriter.Entry e : plan.get(s)) {
          weightMap.put(e.name(), file);
          totalBytes += e.elements() * SafetensorsWriter.width(dtype);
        }
        SafetensorsWriter.write(staging.resolve(file), plan.get(s), dtype, e -> values(e, seed));
      }
      if (shards > 1) {
        ObjectNode index = JsonFields.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", totalBytes);
        index.set("weight_map", weightMap);
        Files.writeString(
            staging.resolve(Checkpoint.INDEX),
            JsonFields.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(index) + "\n",
            StandardCharsets.UTF_8);
      }
      Files.deleteIfExists(target);
      SafetensorsWriter.move(staging, target);
    } finally {
      deleteTree(staging);
    }
  }

  /**
   * Named configs: {@code "tiny"} (hidden 64, 2 layers, vocab 300, untied; for unit tests) and
   * {@code "100m"} (Llama-2 style with GQA: hidden 768, MLP 2048, 8 layers, 12 query and 4 KV
   * heads, vocab 32000, untied; about 99.5M parameters).
   */
  public static LlamaConfig preset(String name) {
    switch (name) {
      case "tiny":
        return new LlamaConfig(
            LlamaConfig.LLAMA,
            64,
            128,
            2,
            4,
            2,
            16,
            300,
            256,
            1e-5,
            10000,
            null,
            false,
            1,
            List.of(2));
      case "100m":
        return new LlamaConfig(
            LlamaConfig.LLAMA,
            768,
            2048,
            8,
            12,
            4,
            64,
            32000,
            2048,
            1e-5,
            10000,
            null,
            false,
            1,
            List.of(2));
      default:
        throw new IllegalArgumentException("unknown preset '" + name + "' (known: tiny, 100m)");
    }
  }

  /** Consecutive tensors per shard, cutting at equal shares of the bytes, every shard non-empty. */
  private static List<List<SafetensorsWriter.Entry>> plan(Map<String, long[]> shapes, int shards) {
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    shapes.forEach((name, shape) -> entries.add(new SafetensorsWriter.Entry(name, shape)));
    long total = entries.stream().mapToLong(SafetensorsWriter.Entry::elements).sum();
    List<List<SafetensorsWriter.Entry>> plan = new ArrayList<>();
    plan.add(new ArrayList<>());
    long done = 0;
    for (int j = 0; j < entries.size(); j++) {
      List<SafetensorsWriter.Entry> current = plan.get(plan.size() - 1);
      int shardsAfter = shards - plan.size();
      boolean full = done >= (double) total * plan.size() / shards;
      boolean mustMove = entries.size() - j == shardsAfter;
      if (!current.isEmpty() && shardsAfter > 0 && (full || mustMove)) {
        plan.add(new ArrayList<>());
      }
      plan.get(plan.size() - 1).add(entries.get(j));
      done += entries.get(j).elements();
    }
    return plan;
  }

  private static float[] values(SafetensorsWriter.Entry e, long seed) {
    long[] shape = e.shape();
    float[] out = new float[Math.toIntExact(e.elements())];
    if (shape.length == 1) {
      Arrays.fill(out, 1f); // RMSNorm weights
      return out;
    }
    fill(out, new SplittableRandom(mix(seed, e.name())), 1 / Math.sqrt(shape[shape.length - 1]));
    return out;
  }

  /**
   * Irwin–Hall(4) from the four 16-bit quarters of one random long, scaled to mean 0 and deviation
   * {@code std}.
   */
  static void fill(float[] out, SplittableRandom random, double std) {
    double mean = 4 * 32767.5;
    double scale = std / Math.sqrt(4 * (65536.0 * 65536.0 - 1) / 12);
    for (int i = 0; i < out.length; i++) {
      long x = random.nextLong();
      long sum = (x & 0xffff) + ((x >>> 16) & 0xffff) + ((x >>> 32) & 0xffff) + (x >>> 48);
      out[i] = (float) ((sum - mean) * scale);
    }
  }

  private static long mix(long seed, String name) {
    long h = 0xcbf29ce484222325L; // FNV-1a, then the murmur3 finalizer
    for (int i = 0; i < name.length(); i++) {
      h = (h ^ name.charAt(i)) * 0x100000001b3L;
    }
    h ^= seed * 0x9e3779b97f4a7c15L;
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  private static String torchDtype(String dtype) {
    return switch (dtype) {
      case "F16" -> "float16";
      case "BF16" -> "bfloat16";
      default -> "float32";
    };
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
