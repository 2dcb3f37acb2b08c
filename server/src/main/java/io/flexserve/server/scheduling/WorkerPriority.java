package io.flexserve.server.scheduling;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers an inference worker's CPU priority (its Linux nice value), so that the event loop preempts
 * a running inference instead of waiting for it to end.
 *
 * <p>Why. Where the event loop and a worker share a core, a request that arrives during a run is
 * not even read until the run ends: its wait is invisible to the scheduler (it is stamped on
 * arrival only once read), a 429 is decided a whole run late, and finished responses queue behind
 * the next run. Reading, admitting and writing take a fraction of a millisecond; a run takes many.
 * A nice value above 0 makes the kernel give the core to the short work first. It lowers the worker
 * only: raising the event loop instead would need privileges a container does not have.
 *
 * <p>It lowers the thread that calls ONNX Runtime, which does the whole run with one intra-op
 * thread; ONNX Runtime's own pool threads (more intra-op threads) were started elsewhere and keep
 * the default priority. Linux only (the thread id comes from {@code /proc/thread-self}); elsewhere,
 * or when the call fails, the worker keeps the default priority and a warning says so.
 */
public final class WorkerPriority {
  private static final System.Logger LOG = System.getLogger(WorkerPriority.class.getName());

  private WorkerPriority() {}

  /**
   * Sets the calling thread's nice value to {@code nice} (0 leaves it as it is).
   *
   * @return whether the thread now runs at that nice value
   */
  public static boolean applyToCurrentThread(int nice) {
    if (nice == 0) {
      return true;
    }
    try {
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
      int tid = Integer.parseInt(self.getFileName().toString());
      int errno = Nice.set(tid, nice);
      if (errno == 0) {
        return true;
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "could not set inference worker nice to {0} (errno {1}); it runs at the default priority",
          nice,
          errno);
    } catch (Exception | LinkageError e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "could not set inference worker nice to {0} ({1}); it runs at the default priority",
          nice,
          e.toString());
    }
    return false;
  }
}
