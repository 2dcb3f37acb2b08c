package io.flexserve.server.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompilerPriorityTest {
  @Test
  void lowersEveryJitCompilerThread_andNoOtherThread() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/self/task")), "Linux only");
    List<Integer> compilers = CompilerPriority.compilerThreads();
    assumeTrue(!compilers.isEmpty(), "a JVM with JIT compiler threads (HotSpot, not -Xint)");
    int callerBefore = WorkerPriorityTest.currentNice();
    int target = Math.min(19, niceOf(compilers.get(0)) + 1); // one step: this JVM runs other tests

    assertEquals(compilers.size(), CompilerPriority.apply(target));

    for (int tid : compilers) {
      assertEquals(target, niceOf(tid), "compiler thread " + tid);
    }
    assertEquals(callerBefore, WorkerPriorityTest.currentNice(), "other threads keep theirs");
    assertFalse(compilers.contains(tid()), "the caller is not a compiler thread");
  }

  private static int niceOf(int tid) throws Exception {
    return WorkerPriorityTest.niceOf(Path.of("/proc/self/task/" + tid));
  }

  private static int tid() throws Exception {
    return Integer.parseInt(
        Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
  }
}
