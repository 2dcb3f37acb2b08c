package io.flexserve.convert.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimilaritySetTest {
  @TempDir Path dir;

  @Test
  void readsTheStsLayoutAndThePlainThreeColumnLayout() throws Exception {
    Path sts =
        Files.writeString(
            dir.resolve("sts.csv"),
            "main-captions\tMSRvid\t2012test\t0000\t5.000\tA man is dancing.\tA man dances.\n"
                + "main-news\theadlines\t2015\t0001\t0.5\tStocks fell.\tIt rained.\tsource-a\tsource-b\n\n");
    SimilaritySet s = SimilaritySet.read(sts);
    assertEquals(List.of("A man is dancing.", "Stocks fell."), s.first());
    assertEquals(List.of("A man dances.", "It rained."), s.second());
    assertArrayEquals(new double[] {5.0, 0.5}, s.scores());
    assertEquals("spearman on sts.csv", s.measure());
    SimilaritySet plain =
        SimilaritySet.read(Files.writeString(dir.resolve("p.tsv"), "a\tb\t1\nc\td\t2\n"));
    assertEquals(2, plain.size());
  }

  @Test
  void aLineThatIsNoScoredPairFailsWithItsNumber() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.tsv"), "a\tb\t1\nc\td\tnot-a-number\n");
    IOException e = assertThrows(IOException.class, () -> SimilaritySet.read(bad));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void spearman_isOneForTheSameOrder_minusOneForTheReverse_andHandlesTies() {
    SimilaritySet s =
        new SimilaritySet(
            "t", List.of("a", "b", "c"), List.of("x", "y", "z"), new double[] {1, 2, 3});
    float[][] unit = {{1, 0}, {1, 0}, {1, 0}};
    float[][] rising = {{-1, 0}, {0, 1}, {1, 0}}; // cosines −1, 0, 1
    float[][] falling = {{1, 0}, {0, 1}, {-1, 0}}; // cosines 1, 0, −1
    assertEquals(1.0, s.spearman(unit, rising), 1e-12);
    assertEquals(-1.0, s.spearman(unit, falling), 1e-12);
    assertArrayEquals(new double[] {1.5, 1.5, 3}, SimilaritySet.ranks(new double[] {2, 2, 7}));
  }
}
