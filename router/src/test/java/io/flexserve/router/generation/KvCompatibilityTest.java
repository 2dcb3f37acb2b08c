package io.flexserve.router.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.router.generation.KvCompatibility.KvLayer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KvCompatibilityTest {
  static List<KvLayer> layers(int groups, int... indices) {
    return java.util.Arrays.stream(indices).mapToObj(i -> new KvLayer(i, groups)).toList();
  }

  final KvCompatibility kv;

  KvCompatibilityTest() {
    Map<String, List<KvLayer>> m = new LinkedHashMap<>();
    m.put("full", layers(4, 0, 1, 2, 3));
    m.put("full-mlp50", layers(4, 0, 1, 2, 3)); // MLP width differs: not part of the layout
    m.put("lat85", layers(2, 0, 1, 2, 3)); // fewer KV groups
    m.put("lat60", layers(4, 0, 1, 3)); // a layer skipped
    m.put("full-mlp25", layers(4, 0, 1, 2, 3));
    m.put(
        "mixed",
        List.of(new KvLayer(0, 4), new KvLayer(1, 4), new KvLayer(2, 2), new KvLayer(3, 4)));
    kv = new KvCompatibility(m);
  }

  @Test
  void sameLayersAndGroupsShareTheLayout() {
    assertTrue(kv.compatible("full", "full-mlp50"));
    assertTrue(kv.compatible("full-mlp25", "full"));
    assertTrue(kv.compatible("lat85", "lat85"));
    assertEquals(List.of("full", "full-mlp50", "full-mlp25"), kv.compatibleWith("full-mlp50"));
  }

  @Test
  void differentGroupsOrLayersDoNot() {
    assertFalse(kv.compatible("full", "lat85"));
    assertFalse(kv.compatible("full", "lat60"));
    assertFalse(kv.compatible("full", "mixed")); // one layer with fewer groups is enough
    assertEquals(List.of("lat60"), kv.compatibleWith("lat60"));
  }

  @Test
  void groupsInMenuOrder() {
    assertEquals(
        List.of(
            List.of("full", "full-mlp50", "full-mlp25"),
            List.of("lat85"),
            List.of("lat60"),
            List.of("mixed")),
        kv.groups());
  }

  @Test
  void unknownNamesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> kv.compatible("full", "nope"));
  }
}
