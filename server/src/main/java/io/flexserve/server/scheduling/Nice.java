package io.flexserve.server.scheduling;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Sets one thread's Linux nice value through the C library's {@code setpriority(2)}. */
final class Nice {
  // with a thread id as "who", setpriority(2) applies to that one thread
  private static final int PRIO_PROCESS = 0;

  private Nice() {}

  private interface LibC extends Library {
    int setpriority(int which, int who, int prio);
  }

  /**
   * Sets thread {@code tid}'s nice value.
   *
   * @return 0, or the errno of the failed call
   * @throws LinkageError where the C library cannot be loaded (not Linux)
   */
  static int set(int tid, int nice) {
    LibC libc = Native.load("c", LibC.class);
    return libc.setpriority(PRIO_PROCESS, tid, nice) == 0 ? 0 : Native.getLastError();
  }
}
