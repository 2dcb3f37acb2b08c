package io.flexserve.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLI failures are one line without a stack trace unless {@code --verbose}; exit 1 for a failure, 2
 * for bad usage (issue 17, item 14).
 */
class CliErrorsTest {
  @TempDir Path dir;

  record Run(int code, String err) {}

  static Run run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Run(Toolchain.runCli(args), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void aFailureIsOneLineWithExitCode1_andVerboseShowsTheTrace() throws Exception {
    Path notABundle = Files.createDirectories(dir.resolve("empty"));
    Run r =
        run(
            "eval",
            "--bundle",
            notABundle.toString(),
            "--text",
            notABundle.resolve("missing.txt").toString());
    assertEquals(1, r.code(), r.err());
    String[] lines = r.err().strip().split("\\R");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("flexserve eval: error: "), r.err());
    assertFalse(r.err().contains("\tat "), r.err());

    Run verbose =
        run(
            "eval",
            "--verbose",
            "--bundle",
            notABundle.toString(),
            "--text",
            notABundle.resolve("missing.txt").toString());
    assertEquals(1, verbose.code());
    assertTrue(verbose.err().contains("\tat "), "the stack trace with --verbose: " + verbose.err());
  }

  @Test
  void aMissingFileSaysSo() {
    Run r =
        run(
            "convert",
            "--checkpoint",
            dir.resolve("nope").toString(),
            "--calibration",
            dir.resolve("nope.txt").toString(),
            "--out",
            dir.resolve("out").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("no such file") || r.err().contains("No such file"), r.err());
  }

  @Test
  void badUsageIsExitCode2() {
    assertEquals(2, run("eval", "--no-such-option").code());
    assertEquals(2, run("no-such-command").code());
  }

  @Test
  void versionPrintsTheVersion() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Toolchain.runCli(new String[] {"-V"}));
    } finally {
      System.setOut(saved);
    }
    assertTrue(
        out.toString(StandardCharsets.UTF_8).startsWith("flexserve "),
        out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void invalidBudgetsAreUsageErrorsBeforeAnyWork() {
    Run r = convertMissingCheckpoint("--budgets", "0.5,1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("budgets must start at 1.0"), r.err());
    assertEquals(2, convertMissingCheckpoint("--budgets", "1,0.7,0.8").code());
  }

  @Test
  void anUnknownLatencyModelIsAUsageError() {
    Run r = convertMissingCheckpoint("--latency-model", "flops");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("expected measured or weights, got 'flops'"), r.err());
  }

  /**
   * {@code convert} of a checkpoint that does not exist, plus {@code options}: reading it would be
   * exit 1, so exit 2 shows the options were checked first.
   */
  private Run convertMissingCheckpoint(String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "convert",
                "--checkpoint",
                dir.resolve("nope").toString(),
                "--calibration",
                dir.resolve("nope.txt").toString(),
                "--out",
                dir.resolve("out").toString()));
    args.addAll(List.of(options));
    return run(args.toArray(String[]::new));
  }

  @Test
  void progressIsPlainLinesWhenNotOnATerminal() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ProgressBars bars =
        new ProgressBars(false, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      for (int i = 0; i <= 200; i++) {
        bars.update("ranking heads", i, 200);
      }
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertFalse(
        text.contains("\r") || text.contains("\u001b"), "no redraws or ANSI codes: " + text);
    String[] lines = text.strip().split("\n");
    assertEquals(11, lines.length, "one line per tenth, once each: " + text);
    assertEquals("ranking heads: 200/200 (100%)", lines[10]);
  }
}
