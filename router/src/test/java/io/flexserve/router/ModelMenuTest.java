package io.flexserve.router;

import static io.flexserve.router.MenuFixtures.FULL;
import static io.flexserve.router.MenuFixtures.MLP50_H75;
import static io.flexserve.router.MenuFixtures.MLP75;
import static io.flexserve.router.MenuFixtures.SMALL;
import static io.flexserve.router.MenuFixtures.menu;
import static io.flexserve.router.MenuFixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelMenuTest {

  @Test
  void bestFirst_scrambledInput_ordersByQualityDescending() {
    assertEquals(List.of(FULL, MLP75, MLP50_H75, SMALL), menu().names());
    assertEquals(
        List.of(FULL, MLP75, MLP50_H75, SMALL),
        menu().bestFirst().stream().map(SubnetProfile::name).toList());
  }

  @Test
  void bestFirst_equalQuality_putsLargerFirst() {
    ModelMenu menu =
        ModelMenu.of(List.of(subnet("narrow", 0.4, 0.9, 2, 4), subnet("wide", 0.6, 0.9, 3, 6)));
    assertEquals(List.of("wide", "narrow"), menu.names());
  }

  @Test
  void bestFirst_equalQualityAndSize_ordersByNameWhateverTheInputOrder() {
    ModelMenu forward =
        ModelMenu.of(List.of(subnet("b", 0.5, 0.9, 2, 4), subnet("a", 0.5, 0.9, 3, 6)));
    ModelMenu backward =
        ModelMenu.of(List.of(subnet("a", 0.5, 0.9, 3, 6), subnet("b", 0.5, 0.9, 2, 4)));
    assertEquals(List.of("a", "b"), forward.names());
    assertEquals(forward, backward);
  }

  @Test
  void best_isHighestQuality() {
    assertEquals(FULL, menu().best().name());
  }

  @Test
  void largestAndSmallest_goByRelativeSizeNotQuality() {
    ModelMenu menu =
        ModelMenu.of(
            List.of(
                subnet("distilled", 0.5, 1.0, 5, 10),
                subnet("wide", 1.0, 0.9, 9, 20),
                subnet("tiny", 0.1, 0.95, 1, 2)));
    assertEquals("distilled", menu.best().name());
    assertEquals("wide", menu.largest().name());
    assertEquals("tiny", menu.smallest().name());
  }

  @Test
  void largestAndSmallest_fixtureMenu() {
    assertEquals(FULL, menu().largest().name());
    assertEquals(SMALL, menu().smallest().name());
  }

  @Test
  void find_knownName_returnsSubnet() {
    Optional<SubnetProfile> found = menu().find(MLP50_H75);
    assertTrue(found.isPresent());
    assertEquals(0.93, found.get().quality());
  }

  @Test
  void find_unknownOrDifferentCase_isEmpty() {
    assertEquals(Optional.empty(), menu().find("huge"));
    assertEquals(Optional.empty(), menu().find("FULL"));
  }

  @Test
  void of_singleSubnet_isBestLargestAndSmallest() {
    SubnetProfile only = subnet("only", 1.0, 1.0, 4, 8);
    ModelMenu menu = ModelMenu.of(List.of(only));
    assertEquals(only, menu.best());
    assertEquals(only, menu.largest());
    assertEquals(only, menu.smallest());
  }

  @Test
  void of_duplicateNames_throwsNamingDuplicate() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ModelMenu.of(
                    List.of(
                        subnet(FULL, 1.0, 1.0, 10, 34),
                        subnet(SMALL, 0.3, 0.8, 3, 9),
                        subnet(FULL, 0.9, 0.9, 8, 20))));
    assertTrue(e.getMessage().contains("'full'"), e.getMessage());
  }

  @Test
  void of_emptyList_throws() {
    assertThrows(IllegalArgumentException.class, () -> ModelMenu.of(List.of()));
  }

  @Test
  void of_nullListOrElement_throwsNpe() {
    assertThrows(NullPointerException.class, () -> ModelMenu.of(null));
    List<SubnetProfile> withNull = new ArrayList<>();
    withNull.add(null);
    assertThrows(NullPointerException.class, () -> ModelMenu.of(withNull));
  }

  @Test
  void of_copiesInputAndExposesUnmodifiableLists() {
    List<SubnetProfile> subnets = new ArrayList<>(List.of(subnet("a", 1.0, 1.0, 4, 8)));
    ModelMenu menu = ModelMenu.of(subnets);
    subnets.add(subnet("b", 0.5, 0.5, 2, 4));
    assertEquals(List.of("a"), menu.names());
    assertThrows(UnsupportedOperationException.class, () -> menu.bestFirst().clear());
    assertThrows(UnsupportedOperationException.class, () -> menu.names().clear());
  }
}
