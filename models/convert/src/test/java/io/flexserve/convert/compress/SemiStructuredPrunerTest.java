package io.flexserve.convert.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.models.testing.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SemiStructuredPrunerTest {
  @Test
  void magnitude_keepsTheTwoLargestOfEveryFour() {
    float[] w = {0.1f, -3f, 2f, 0.5f, /* */ 4f, 0f, -0.2f, 0.3f};
    boolean[] keep = SemiStructuredPruner.mask(w, 1, 8, null);
    assertArrayEquals(new boolean[] {false, true, true, false, true, false, false, true}, keep);
    assertArrayEquals(
        new float[] {0, -3f, 2f, 0, 4f, 0, 0, 0.3f}, SemiStructuredPruner.apply(w, keep));
    assertTrue(SemiStructuredPruner.isTwoFour(keep, 1, 8));
  }

  @Test
  void wanda_weighsByInputNorm() {
    float[] w = {1f, 1f, 2f, 2f};
    boolean[] magnitude = SemiStructuredPruner.mask(w, 1, 4, null);
    boolean[] wanda = SemiStructuredPruner.mask(w, 1, 4, new float[] {10f, 10f, 1f, 1f});
    assertArrayEquals(new boolean[] {false, false, true, true}, magnitude);
    assertArrayEquals(new boolean[] {true, true, false, false}, wanda);
  }

  @Test
  void inputNotDivisibleByFour_isRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> SemiStructuredPruner.mask(new float[6], 1, 6, null));
  }

  @Test
  void maskLlm_packbitsNpz_readsFlatAndRowPackedLayouts(@TempDir Path dir) throws Exception {
    // mask [2, 12] = row 0: 1100 0011 1010, row 1: 0110 0101 1001
    boolean[] expected = bits("110000111010" + "011001011001");
    byte[] flat = {(byte) 0b11000011, (byte) 0b10100110, (byte) 0b01011001};
    byte[] rows = {(byte) 0b11000011, (byte) 0b10100000, (byte) 0b01100101, (byte) 0b10010000};
    Path npz = dir.resolve("masks.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
      zip.putNextEntry(new ZipEntry("model.layers.0.mlp.up_proj.weight.npy"));
      zip.write(Npy.file("|u1", "(3,)", flat));
      zip.putNextEntry(new ZipEntry("model.layers.0.mlp.gate_proj.npy"));
      zip.write(Npy.file("|u1", "(2, 2)", rows));
    }
    MaskLlmMasks masks = MaskLlmMasks.read(npz);
    assertArrayEquals(expected, masks.mask("model.layers.0.mlp.up_proj.weight", 2, 12));
    assertArrayEquals(expected, masks.mask("model.layers.0.mlp.gate_proj.weight", 2, 12));
    assertTrue(SemiStructuredPruner.isTwoFour(expected, 2, 12));
    assertFalse(masks.has("model.layers.1.mlp.up_proj.weight"));
    assertThrows(
        IllegalArgumentException.class,
        () -> masks.mask("model.layers.0.mlp.up_proj.weight", 3, 12));
    assertEquals(false, SemiStructuredPruner.isTwoFour(bits("1110"), 1, 4));
  }

  private static boolean[] bits(String s) {
    boolean[] b = new boolean[s.length()];
    for (int i = 0; i < b.length; i++) {
      b[i] = s.charAt(i) == '1';
    }
    return b;
  }
}
