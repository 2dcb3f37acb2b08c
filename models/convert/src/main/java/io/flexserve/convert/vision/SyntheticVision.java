package io.flexserve.convert.vision;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexserve.models.llm.checkpoint.SafetensorsFile;
import io.flexserve.models.vision.VisionCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes random-weight RADIO checkpoints in the layout of NVlabs/RADIO's Hugging Face export
 * ({@code radio_model.model.*}, {@code radio_model.input_conditioner.*}), so conversion, serving
 * and benchmarks run without downloading real weights. {@link VisionCheckpoint} reads them through
 * the same code path as a real one.
 *
 * <p>Linear weights have standard deviation {@code 1/sqrt(fan_in)} (near-normal Irwin–Hall sums of
 * four uniforms), LayerNorm scales are near 1, and every tensor is seeded by its name, so a
 * tensor's values depend on the seed alone.
 */
public final class SyntheticVision {
  public static final String PREFIX = "radio_model.";

  /** A generated model's shape. */
  public record Spec(
      int hidden,
      int layers,
      int heads,
      int mlp,
      int patch,
      int clsTokens,
      int registers,
      int posGrid) {}

  private SyntheticVision() {}

  /**
   * Named shapes: {@code tiny} (hidden 64, 2 blocks, 4 heads, MLP 256, patch 16, 2 CLS + 2
   * registers, 4×4 grid; for tests) and {@code vit-b16} (ViT-B/16: hidden 768, 12 blocks, 12 heads,
   * MLP 3072, 4 CLS + 4 registers as RADIO v2.5 pads its prefix to a multiple of 8, 64×64 position
   * grid).
   */
  public static Spec preset(String name) {
    switch (name) {
      case "tiny":
        return new Spec(64, 2, 4, 256, 16, 2, 2, 4);
      case "vit-b16":
        return new Spec(768, 12, 12, 3072, 16, 4, 4, 64);
      default:
        throw new IllegalArgumentException("unknown preset '" + name + "'; known: tiny, vit-b16");
    }
  }

  /**
   * Writes {@code model.safetensors} and {@code config.json} into {@code dir} (created if absent).
   */
  public static void write(Path dir, Spec s, long seed, String dtype) throws IOException {
    Files.createDirectories(dir);
    int h = s.hidden();
    String m = PREFIX + "model.";
    LinkedHashMap<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    put(
        tensors,
        shapes,
        seed,
        PREFIX + "input_conditioner.norm_mean",
        new float[] {0.48145466f, 0.4578275f, 0.40821073f},
        3,
        1,
        1);
    put(
        tensors,
        shapes,
        seed,
        PREFIX + "input_conditioner.norm_std",
        new float[] {0.26862954f, 0.26130258f, 0.27577711f},
        3,
        1,
        1);
    random(
        tensors,
        shapes,
        seed,
        m + "patch_generator.embedder.weight",
        1 / Math.sqrt(3.0 * s.patch() * s.patch()),
        0,
        h,
        3L * s.patch() * s.patch());
    random(
        tensors,
        shapes,
        seed,
        m + "patch_generator.cls_token.token",
        1,
        0,
        s.clsTokens() + s.registers(),
        h);
    random(
        tensors,
        shapes,
        seed,
        m + "patch_generator.pos_embed",
        0.5,
        0,
        1,
        (long) s.posGrid() * s.posGrid(),
        h);
    for (int l = 0; l < s.layers(); l++) {
      String b = m + "blocks." + l + ".";
      random(tensors, shapes, seed, b + "norm1.weight", 0.1, 1, h);
      random(tensors, shapes, seed, b + "norm1.bias", 0.1, 0, h);
      random(tensors, shapes, seed, b + "attn.qkv.weight", 1 / Math.sqrt(h), 0, 3L * h, h);
      random(tensors, shapes, seed, b + "attn.qkv.bias", 0.1, 0, 3L * h);
      random(tensors, shapes, seed, b + "attn.proj.weight", 1 / Math.sqrt(h), 0, h, h);
      random(tensors, shapes, seed, b + "attn.proj.bias", 0.1, 0, h);
      random(tensors, shapes, seed, b + "norm2.weight", 0.1, 1, h);
      random(tensors, shapes, seed, b + "norm2.bias", 0.1, 0, h);
      random(tensors, shapes, seed, b + "mlp.fc1.weight", 1 / Math.sqrt(h), 0, s.mlp(), h);
      random(tensors, shapes, seed, b + "mlp.fc1.bias", 0.1, 0, s.mlp());
      random(tensors, shapes, seed, b + "mlp.fc2.weight", 1 / Math.sqrt(s.mlp()), 0, h, s.mlp());
      random(tensors, shapes, seed, b + "mlp.fc2.bias", 0.1, 0, h);
    }
    random(tensors, shapes, seed, m + "norm.weight", 0.1, 1, h);
    random(tensors, shapes, seed, m + "norm.bias", 0.1, 0, h);
    SafetensorsFile.write(dir.resolve("model.safetensors"), tensors, shapes, dtype);

    ObjectMapper json = new ObjectMapper();
    ObjectNode config =
        json.createObjectNode()
            .put("architecture", "radio-synthetic")
            .put("num_heads", s.heads())
            .put("num_cls_tokens", s.clsTokens())
            .put("num_registers", s.registers())
            .put("patch_size", s.patch())
            .put("layer_norm_eps", 1e-6)
            .put("seed", seed);
    Files.writeString(
        dir.resolve(VisionCheckpoint.CONFIG),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
  }

  private static void put(
      LinkedHashMap<String, float[]> tensors,
      Map<String, long[]> shapes,
      long seed,
      String name,
      float[] values,
      long... shape) {
    tensors.put(name, values);
    shapes.put(name, shape);
  }

  private static void random(
      LinkedHashMap<String, float[]> tensors,
      Map<String, long[]> shapes,
      long seed,
      String name,
      double std,
      double mean,
      long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
    float[] v = new float[Math.toIntExact(n)];
    // Irwin–Hall: the sum of four U(0,1) has variance 1/3, so (sum − 2)·√3 has unit variance.
    double scale = std * Math.sqrt(3.0);
    for (int i = 0; i < v.length; i++) {
      double sum = rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble();
      v[i] = (float) (mean + (sum - 2) * scale);
    }
    put(tensors, shapes, seed, name, v, shape);
  }
}
