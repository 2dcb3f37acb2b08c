package io.flexserve.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;

  @Test
  void emptyMeansOff() {
    assertFalse(ApiKeys.of("", "").enabled());
    assertFalse(ApiKeys.of(" , ,", null).enabled());
    assertEquals(-1, ApiKeys.of("", "").match("anything"));
  }

  @Test
  void matchesExactKeysOnly() {
    ApiKeys keys = ApiKeys.of("alpha-key, beta-key", "");
    assertTrue(keys.enabled());
    assertEquals(2, keys.size());
    assertEquals(0, keys.match("alpha-key"));
    assertEquals(1, keys.match("beta-key"));
    assertEquals(-1, keys.match("alpha"));
    assertEquals(-1, keys.match("alpha-key-and-more"));
    assertEquals(-1, keys.match("ALPHA-KEY"));
    assertEquals(-1, keys.match(""));
    assertEquals(-1, keys.match(null));
  }

  @Test
  void readsFile_skippingCommentsAndBlankLines_andMergesWithList() throws Exception {
    Path f = dir.resolve("keys");
    Files.writeString(f, "# rotated 2026-11\nfile-key-1\n\n  file-key-2  \n#old-key\n");
    ApiKeys keys = ApiKeys.of("env-key", f.toString());
    assertEquals(3, keys.size());
    assertTrue(keys.match("env-key") >= 0);
    assertTrue(keys.match("file-key-1") >= 0);
    assertTrue(keys.match("file-key-2") >= 0);
    assertEquals(-1, keys.match("#old-key"));
    assertEquals(-1, keys.match("old-key"));
  }

  @Test
  void namedFileMissingOrEmpty_failsStartUp() throws Exception {
    assertThrows(
        java.io.UncheckedIOException.class, () -> ApiKeys.of("", dir.resolve("absent").toString()));
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "# nothing here\n\n");
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.of("", empty.toString()));
  }
}
