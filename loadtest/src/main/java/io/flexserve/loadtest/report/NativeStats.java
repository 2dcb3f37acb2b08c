package io.flexserve.loadtest.report;

/**
 * What the native sender (a C subprocess, {@code --sender native}) counted about itself, beside its
 * CPU time in {@link GeneratorCost}.
 *
 * @param wakes times its one thread returned from sleep (epoll_pwait2); the CPU of a wake-up is
 *     most of what a request costs it, so wakes per request is the figure to watch; -1 when unknown
 * @param syscalls system calls it made in the send loop, counted by itself; -1 when unknown
 * @param answers requests that received an answer (whatever its status)
 * @param timestampFallbacks answers whose receive time is the read time because the kernel gave no
 *     receive timestamp (SO_TIMESTAMPNS) with the data; 0 when every answer was timed by the kernel
 * @param parentCpuSeconds CPU time of the Java load tester while the subprocess ran (it only
 *     waits), seconds; NaN when the JVM does not report it
 */
public record NativeStats(
    long wakes, long syscalls, long answers, long timestampFallbacks, double parentCpuSeconds) {
  /** Not a native run. */
  public static final NativeStats NONE = new NativeStats(-1, -1, 0, 0, Double.NaN);

  /** Whether these are the counts of a native run. */
  public boolean known() {
    return wakes >= 0;
  }
}
