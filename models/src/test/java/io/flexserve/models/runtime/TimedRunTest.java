package io.flexserve.models.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.testing.DefaultBundle;
import io.flexserve.models.text.TokenBatch;
import java.util.Collections;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A run past its deadline is abandoned inside ONNX Runtime, well before it would have finished. */
class TimedRunTest {
  static ElasticEncoder encoder;
  static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();
  // 48 inputs of ~250 tokens: a few hundred ms of work on 2 cores
  static TokenBatch big;

  @BeforeAll
  static void load() throws Exception {
    encoder = ElasticEncoder.load(DefaultBundle.get(), SessionConfig.cpu(1), s -> s.equals("full"));
    String text = String.join(" ", Collections.nCopies(60, "the quick brown fox jumps"));
    big = encoder.tokenizer().encodeBatch(Collections.nCopies(48, text));
  }

  @AfterAll
  static void close() throws Exception {
    encoder.close();
    TIMER.shutdownNow();
  }

  @Test
  void aRunPastItsDeadlineIsTerminatedEarly() throws Exception {
    long t0 = System.nanoTime();
    encoder.embed("full", big);
    double fullMillis = (System.nanoTime() - t0) / 1e6;

    long t1 = System.nanoTime();
    try (TimedRun run = TimedRun.start(TIMER, 5_000_000)) {
      assertThrows(OrtException.class, () -> encoder.embed("full", big, run.options()));
      assertTrue(run.terminated());
    }
    double terminatedMillis = (System.nanoTime() - t1) / 1e6;
    assertTrue(
        terminatedMillis < fullMillis / 2,
        "terminated after " + terminatedMillis + " ms; the whole run takes " + fullMillis + " ms");
  }

  @Test
  void aRunWithinItsDeadlineIsUntouchedAndTheAlarmIsDisarmed() throws Exception {
    float[][] expected = encoder.embed("full", big);
    float[][] got;
    try (TimedRun run = TimedRun.start(TIMER, 60_000_000_000L)) {
      got = encoder.embed("full", big, run.options());
      assertFalse(run.terminated());
    }
    assertEquals(expected.length, got.length);
    for (int i = 0; i < got.length; i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected[i], got[i], 1e-6f);
    }
  }

  @Test
  void eachRunHandsItsArenaBackSoALargeBatchDoesNotKeepItsMemory() throws Exception {
    try (TimedRun run = TimedRun.start(TIMER, 60_000_000_000L)) {
      encoder.embed("full", big, run.options());
    }
    double shrunk = residentMegabytes();
    encoder.embed("full", big); // plain RunOptions: the arena keeps its high-water mark
    double kept = residentMegabytes();
    assertTrue(
        kept - shrunk > 100,
        "without shrinkage the arena keeps the batch's memory: " + shrunk + " → " + kept + " MB");
    try (TimedRun run = TimedRun.start(TIMER, 60_000_000_000L)) {
      encoder.embed("full", big, run.options());
    }
    double returned = residentMegabytes();
    assertTrue(
        returned < kept - 100,
        "a run with TimedRun's options gives it back: " + kept + " → " + returned + " MB");
  }

  /** This process's resident set (Linux). */
  private static double residentMegabytes() throws Exception {
    for (String line :
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
