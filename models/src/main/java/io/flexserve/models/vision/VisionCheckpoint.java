package io.flexserve.models.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.llm.checkpoint.SafetensorsFile;
import io.flexserve.models.weights.RowMajor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a ViT checkpoint in safetensors, in either naming:
 *
 * <ul>
 *   <li>RADIO (NVlabs/RADIO, as saved by {@code RADIOModel.state_dict()}, any prefix such as {@code
 *       radio_model.}): {@code model.patch_generator.embedder.weight [H, 3·p·p]}, {@code
 *       model.patch_generator.cls_token.token [C+R, H]}, {@code model.patch_generator.pos_embed [1,
 *       g·g, H]}, {@code input_conditioner.norm_mean / norm_std [3, 1, 1]};
 *   <li>timm {@code VisionTransformer}: {@code patch_embed.proj.weight [H, 3, p, p]} and {@code
 *       .bias}, {@code cls_token [1, 1, H]}, optional {@code reg_token [1, R, H]}, {@code pos_embed
 *       [1, (1+)g·g, H]} (a leading CLS row is folded into the CLS token, which is the same
 *       function).
 * </ul>
 *
 * Both share {@code blocks.N.norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2} and the final
 * {@code norm}.
 *
 * <p>What the tensors cannot say (heads, how many of the prefix tokens are CLS, timm's
 * normalisation, LayerNorm epsilon) comes from an optional {@code config.json} beside the weights
 * ({@code num_heads}, {@code num_cls_tokens}, {@code norm_mean}, {@code norm_std}, {@code
 * layer_norm_eps}) or from {@link Options}, which win.
 */
public final class VisionCheckpoint {
  /** RADIO's default input conditioner (CLIP's statistics). */
  public static final List<Float> CLIP_MEAN = List.of(0.48145466f, 0.4578275f, 0.40821073f);

  public static final List<Float> CLIP_STD = List.of(0.26862954f, 0.26130258f, 0.27577711f);
  public static final String CONFIG = "config.json";

  /** Overrides of what the tensors cannot say; null leaves the config.json value or the default. */
  public record Options(Integer heads, Integer clsTokens) {
    public static final Options NONE = new Options(null, null);
  }

  private VisionCheckpoint() {}

  /** The {@code .safetensors} file itself, or a directory holding exactly one. */
  public static Path weightsFile(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return path;
    }
    try (Stream<Path> files = Files.list(path)) {
      List<Path> found =
          files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
      if (found.size() != 1) {
        throw new CheckpointException(
            path + ": expected one .safetensors file, found " + found.size());
      }
      return found.get(0);
    }
  }

  /** Reads and checks every tensor; messages name the tensor that is missing or misshapen. */
  public static VisionWeights read(Path path, Options options) throws IOException {
    Path file = weightsFile(path);
    JsonNode sidecar = sidecar(file.toAbsolutePath().getParent().resolve(CONFIG));
    try (SafetensorsFile st = SafetensorsFile.open(file)) {
      Names n = Names.detect(st.tensors().keySet(), file.getFileName().toString());
      long[] qkv = shape(st, n.block(0, "attn.qkv.weight"));
      int h = (int) qkv[1];
      int layers = 0;
      while (st.tensors().containsKey(n.block(layers, "attn.qkv.weight"))) {
        layers++;
      }
      int mlp = (int) shape(st, n.block(0, "mlp.fc1.weight"))[0];
      int heads = pick(options.heads(), sidecar, "num_heads", Math.max(1, h / 64));

      float[] patchEmbed = st.floats(n.patchWeight());
      int patch = (int) Math.round(Math.sqrt(patchEmbed.length / (3.0 * h)));
      float[] patchBias =
          st.tensors().containsKey(n.patchBias()) ? st.floats(n.patchBias()) : new float[h];
      float[] prefix = st.floats(n.clsToken());
      if (n.registerToken() != null && st.tensors().containsKey(n.registerToken())) {
        prefix = concat(prefix, st.floats(n.registerToken()));
      }
      int prefixTokens = prefix.length / h;
      int cls = pick(options.clsTokens(), sidecar, "num_cls_tokens", n.radio() ? prefixTokens : 1);
      if (cls > prefixTokens) {
        throw new CheckpointException(
            n.clsToken()
                + ": holds "
                + prefixTokens
                + " tokens, fewer than "
                + cls
                + " CLS tokens");
      }
      float[] pos = st.floats(n.posEmbed());
      int posRows = pos.length / h;
      int grid = (int) Math.floor(Math.sqrt(posRows));
      int extra = posRows - grid * grid;
      if (extra != 0 && extra != 1) {
        throw new CheckpointException(
            n.posEmbed() + ": " + posRows + " rows is neither a square grid nor 1 + a square grid");
      }
      if (extra == 1) {
        // timm adds pos_embed[0] to the CLS token: fold it in once, keep the grid rows
        for (int d = 0; d < h; d++) {
          prefix[d] += pos[d];
        }
        pos = java.util.Arrays.copyOfRange(pos, h, pos.length);
      }
      List<Float> mean =
          n.conditionerMean() != null && st.tensors().containsKey(n.conditionerMean())
              ? boxed(st.floats(n.conditionerMean()))
              : floats(sidecar, "norm_mean", CLIP_MEAN);
      List<Float> std =
          n.conditionerStd() != null && st.tensors().containsKey(n.conditionerStd())
              ? boxed(st.floats(n.conditionerStd()))
              : floats(sidecar, "norm_std", CLIP_STD);
      float eps =
          sidecar.has("layer_norm_eps") ? (float) sidecar.get("layer_norm_eps").asDouble() : 1e-6f;
      VisionConfig config =
          new VisionConfig(
              h, layers, heads, mlp, patch, cls, prefixTokens - cls, grid, eps, mean, std);

      List<VisionWeights.Layer> blocks = new ArrayList<>();
      for (int l = 0; l < layers; l++) {
        float[] w = st.floats(n.block(l, "attn.qkv.weight")); // [3H, H]: Q rows, K rows, V rows
        float[] b = st.floats(n.block(l, "attn.qkv.bias")); // [3H]
        int hh = h * h;
        blocks.add(
            new VisionWeights.Layer(
                st.floats(n.block(l, "norm1.weight")), st.floats(n.block(l, "norm1.bias")),
                java.util.Arrays.copyOfRange(w, 0, hh), java.util.Arrays.copyOfRange(b, 0, h),
                java.util.Arrays.copyOfRange(w, hh, 2 * hh),
                    java.util.Arrays.copyOfRange(b, h, 2 * h),
                java.util.Arrays.copyOfRange(w, 2 * hh, 3 * hh),
                    java.util.Arrays.copyOfRange(b, 2 * h, 3 * h),
                RowMajor.transpose(st.floats(n.block(l, "attn.proj.weight")), h, h),
                    st.floats(n.block(l, "attn.proj.bias")),
                st.floats(n.block(l, "norm2.weight")), st.floats(n.block(l, "norm2.bias")),
                st.floats(n.block(l, "mlp.fc1.weight")), st.floats(n.block(l, "mlp.fc1.bias")),
                RowMajor.transpose(st.floats(n.block(l, "mlp.fc2.weight")), h, mlp),
                    st.floats(n.block(l, "mlp.fc2.bias"))));
      }
      try {
        return new VisionWeights(
            config,
            patchEmbed,
            patchBias,
            prefix,
            pos,
            st.floats(n.norm("weight")),
            st.floats(n.norm("bias")),
            blocks);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(file.getFileName() + ": " + e.getMessage(), e);
      }
    }
  }

  /** The tensor names of one checkpoint, prefixes resolved. */
  record Names(boolean radio, String model, String conditioner) {
    static Names detect(java.util.Set<String> keys, String label) throws CheckpointException {
      String suffix = "blocks.0.attn.qkv.weight";
      String qkv =
          keys.stream()
              .filter(k -> k.endsWith(suffix))
              .sorted()
              .findFirst()
              .orElseThrow(
                  () ->
                      new CheckpointException(
                          label + ": no tensor named *" + suffix + "; not a ViT checkpoint"));
      String model = qkv.substring(0, qkv.length() - suffix.length());
      boolean radio = keys.contains(model + "patch_generator.pos_embed");
      String conditioner =
          keys.stream()
              .filter(k -> k.endsWith("input_conditioner.norm_mean"))
              .findFirst()
              .map(k -> k.substring(0, k.length() - "norm_mean".length()))
              .orElse(null);
      return new Names(radio, model, conditioner);
    }

    String block(int layer, String tensor) {
      return model + "blocks." + layer + "." + tensor;
    }

    String norm(String tensor) {
      return model + "norm." + tensor;
    }

    String patchWeight() {
      return model + (radio ? "patch_generator.embedder.weight" : "patch_embed.proj.weight");
    }

    String patchBias() {
      return model + (radio ? "patch_generator.embedder.bias" : "patch_embed.proj.bias");
    }

    String clsToken() {
      return model + (radio ? "patch_generator.cls_token.token" : "cls_token");
    }

    String registerToken() {
      return radio ? null : model + "reg_token";
    }

    String posEmbed() {
      return model + (radio ? "patch_generator.pos_embed" : "pos_embed");
    }

    String conditionerMean() {
      return conditioner == null ? null : conditioner + "norm_mean";
    }

    String conditionerStd() {
      return conditioner == null ? null : conditioner + "norm_std";
    }
  }

  private static long[] shape(SafetensorsFile st, String name) throws CheckpointException {
    SafetensorsFile.TensorInfo t = st.tensors().get(name);
    if (t == null) {
      throw new CheckpointException(st.path().getFileName() + ": missing tensor " + name);
    }
    return t.shape();
  }

  private static JsonNode sidecar(Path config) throws IOException {
    return Files.exists(config)
        ? new ObjectMapper().readTree(config.toFile())
        : new ObjectMapper().createObjectNode();
  }

  private static int pick(Integer override, JsonNode sidecar, String field, int fallback) {
    if (override != null) {
      return override;
    }
    return sidecar.has(field) ? sidecar.get(field).asInt() : fallback;
  }

  private static List<Float> floats(JsonNode sidecar, String field, List<Float> fallback) {
    if (!sidecar.has(field)) {
      return fallback;
    }
    List<Float> out = new ArrayList<>();
    sidecar.get(field).forEach(v -> out.add((float) v.asDouble()));
    return out;
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new ArrayList<>();
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
