package io.flexserve.loadtest.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadsTest {

  @Test
  void fromFile_skipsBlankLinesAndStrips(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("texts.txt"), "  one \n\n two\n   \nthree");

    assertEquals(List.of("one", "two", "three"), Payloads.fromFile(file, 1).texts());
  }

  @Test
  void fromFile_onlyBlankLines_fails(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("empty.txt"), "\n  \n");

    assertThrows(IllegalArgumentException.class, () -> Payloads.fromFile(file, 1));
  }

  @Test
  void inputsFor_wrapsAroundTheTexts() {
    Payloads payloads = new Payloads(List.of("a", "b", "c"), 2);

    assertEquals(List.of("a", "b"), payloads.inputsFor(0));
    assertEquals(List.of("c", "a"), payloads.inputsFor(1));
    assertEquals(List.of("b", "c"), payloads.inputsFor(2));
  }

  @Test
  void take_continuesTheRoundRobinFromAnyPosition() {
    Payloads payloads = new Payloads(List.of("a", "b", "c"), 1);

    assertEquals(List.of("c", "a", "b", "c"), payloads.take(5, 4));
  }

  @Test
  void builtIn_hasTwentyTexts() {
    assertEquals(20, Payloads.builtIn(1).texts().size());
  }

  @Test
  void invalidValues_failFast() {
    assertThrows(IllegalArgumentException.class, () -> new Payloads(List.of(), 1));
    assertThrows(IllegalArgumentException.class, () -> new Payloads(List.of(" "), 1));
    assertThrows(IllegalArgumentException.class, () -> new Payloads(List.of("a"), 0));
    assertThrows(IllegalArgumentException.class, () -> Payloads.builtIn(1).take(0, 0));
  }
}
