package io.flexserve.models.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.convert.vision.SyntheticVision;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.llm.checkpoint.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer reads RADIO's and timm's names for the same model into the same weights, and names
 * what is wrong.
 */
class VisionCheckpointTest {
  @TempDir Path dir;

  @Test
  void timmLayout_withClsPositionRowAndRegisters_importsAsTheRadioLayout() throws Exception {
    SyntheticVision.Spec spec = new SyntheticVision.Spec(32, 2, 2, 64, 16, 1, 2, 3);
    SyntheticVision.write(dir.resolve("radio"), spec, 5, "F32");
    VisionWeights radio =
        VisionCheckpoint.read(dir.resolve("radio"), VisionCheckpoint.Options.NONE);

    // The same model under timm's names: conv patch weight, cls_token + reg_token, pos_embed with a
    // CLS row.
    LinkedHashMap<String, float[]> timm = new LinkedHashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    int h = spec.hidden();
    try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("radio/model.safetensors"))) {
      String m = SyntheticVision.PREFIX + "model.";
      for (String name : st.tensors().keySet()) {
        if (name.startsWith(m + "blocks.") || name.startsWith(m + "norm.")) {
          String timmName = name.substring(m.length());
          timm.put(timmName, st.floats(name));
          shapes.put(timmName, st.tensors().get(name).shape());
        }
      }
      timm.put("patch_embed.proj.weight", st.floats(m + "patch_generator.embedder.weight"));
      shapes.put("patch_embed.proj.weight", new long[] {h, 3, 16, 16});
      float[] tokens = st.floats(m + "patch_generator.cls_token.token"); // [1 + 2, H]
      float[] clsPos = new float[h];
      float[] cls = new float[h];
      for (int d = 0; d < h; d++) {
        clsPos[d] = 0.25f * (d % 5) - 0.5f;
        cls[d] = tokens[d] - clsPos[d];
      }
      timm.put("cls_token", cls);
      shapes.put("cls_token", new long[] {1, 1, h});
      timm.put("reg_token", java.util.Arrays.copyOfRange(tokens, h, 3 * h));
      shapes.put("reg_token", new long[] {1, 2, h});
      float[] grid = st.floats(m + "patch_generator.pos_embed");
      float[] pos = new float[h + grid.length];
      System.arraycopy(clsPos, 0, pos, 0, h);
      System.arraycopy(grid, 0, pos, h, grid.length);
      timm.put("pos_embed", pos);
      shapes.put("pos_embed", new long[] {1, 1 + 9, h});
    }
    Files.createDirectories(dir.resolve("timm"));
    SafetensorsFile.write(dir.resolve("timm/model.safetensors"), timm, shapes, "F32");
    Files.writeString(
        dir.resolve("timm/config.json"),
        "{\"num_heads\": 2, \"norm_mean\": [0.48145466, 0.4578275, 0.40821073],"
            + " \"norm_std\": [0.26862954, 0.26130258, 0.27577711]}");
    VisionWeights fromTimm =
        VisionCheckpoint.read(dir.resolve("timm"), VisionCheckpoint.Options.NONE);

    assertEquals(radio.config(), fromTimm.config());
    assertEquals(1, fromTimm.config().clsTokens());
    assertEquals(2, fromTimm.config().registers());
    assertEquals(3, fromTimm.config().posGrid());
    assertArrayEquals(
        radio.prefix(), fromTimm.prefix(), 1e-6f, "CLS position row folded into the CLS token");
    assertArrayEquals(radio.pos(), fromTimm.pos(), 0f);
    assertArrayEquals(radio.patchEmbed(), fromTimm.patchEmbed(), 0f);
    assertArrayEquals(radio.layers().get(1).down(), fromTimm.layers().get(1).down(), 0f);
  }

  @Test
  void missingTensor_isNamed() throws Exception {
    SyntheticVision.write(dir.resolve("radio"), SyntheticVision.preset("tiny"), 5, "F32");
    LinkedHashMap<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("radio/model.safetensors"))) {
      for (String name : st.tensors().keySet()) {
        if (!name.endsWith("blocks.1.mlp.fc2.bias")) {
          tensors.put(name, st.floats(name));
          shapes.put(name, st.tensors().get(name).shape());
        }
      }
    }
    Files.createDirectories(dir.resolve("broken"));
    SafetensorsFile.write(dir.resolve("broken/model.safetensors"), tensors, shapes, "F32");
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> VisionCheckpoint.read(dir.resolve("broken"), VisionCheckpoint.Options.NONE));
    assertTrue(e.getMessage().contains("blocks.1.mlp.fc2.bias"), e.getMessage());
  }
}
