package io.flexserve.server.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

public class WorkerPriorityTest {
  /** The calling thread's nice value. */
  public static int currentNice() throws Exception {
    return niceOf(Path.of("/proc/thread-self"));
  }

  /** The nice value of the thread whose /proc directory is {@code task}: field 19 of its stat. */
  public static int niceOf(Path task) throws IOException {
    String stat = Files.readString(task.resolve("stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[16]); // field 19 counted from 1, after pid and comm
  }

  @Test
  void lowersTheCallingThreadOnly() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux only");
    int before = currentNice();
    AtomicInteger seen = new AtomicInteger(-100);
    Thread worker =
        new Thread(
            () -> {
              try {
                assertTrue(WorkerPriority.applyToCurrentThread(before + 7));
                seen.set(currentNice());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    worker.start();
    worker.join();
    assertEquals(before + 7, seen.get(), "the worker runs at the asked nice value");
    assertEquals(before, currentNice(), "the caller's priority is untouched");
  }

  @Test
  void zeroLeavesThePriorityAlone() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux only");
    int before = currentNice();
    assertTrue(WorkerPriority.applyToCurrentThread(0));
    assertEquals(before, currentNice());
  }
}
