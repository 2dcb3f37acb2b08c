package io.flexserve.loadtest.endpoint;

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
}
