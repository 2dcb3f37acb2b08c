package io.flexserve.server.scheduling;

import io.flexserve.server.config.FlexserveConfig;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the JVM's JIT compiler threads ({@code flexserve.compiler-nice}), so
 * that compiling never holds a core that requests are waiting for.
 *
 * <p>Why. HotSpot's C2 compiles hot code for minutes after start, and one compile can hold a core
 * for tens of milliseconds. On a server with one core, a compile during load delays every request
 * behind it: in one 30 s run at twice capacity on one core, slackfit kept 92.5 % of deadlines with
 * the compilers at the default priority and 99.8 % with them at nice 19, with C2's faster code kept
 * (BENCHMARKS.md, issue 19). At nice 19 a compile runs whenever the core would otherwise idle, and
 * takes little from serving when it does not.
 *
 * <p>Linux only: the compiler threads are found by name ({@code C1 CompilerThreadN}, {@code C2
 * CompilerThreadN}) under {@code /proc/self/task}. Compiler threads HotSpot adds later are started
 * by a compiler thread and inherit its nice value. Lowering needs no privilege; a failure leaves
 * the default priority and a warning says so.
 */
@Singleton
public final class CompilerPriority implements ApplicationEventListener<StartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(CompilerPriority.class);
  private static final Path TASKS = Path.of("/proc/self/task");

  private final FlexserveConfig config;

  public CompilerPriority(FlexserveConfig config) {
    this.config = config;
  }

  @Override
  public void onApplicationEvent(StartupEvent event) {
    int nice = config.compilerNice();
    if (nice == 0) {
      return;
    }
    int lowered = apply(nice);
    if (lowered > 0) {
      LOG.info("JIT compiler threads at nice {} (flexserve.compiler-nice): {}", nice, lowered);
    } else {
      LOG.warn(
          "flexserve.compiler-nice {}: no JIT compiler thread could be lowered; they keep the default"
              + " priority",
          nice);
    }
  }

  /**
   * Sets every JIT compiler thread of this JVM to {@code nice}.
   *
   * @return how many threads now run at it
   */
  public static int apply(int nice) {
    int lowered = 0;
    for (int tid : compilerThreads()) {
      try {
        int errno = Nice.set(tid, nice);
        if (errno == 0) {
          lowered++;
        } else {
          LOG.warn("could not set JIT compiler thread {} to nice {} (errno {})", tid, nice, errno);
        }
      } catch (LinkageError e) {
        LOG.warn("could not set JIT compiler threads' nice value: {}", e.toString());
        return lowered;
      }
    }
    return lowered;
  }

  /** The thread ids of this JVM's JIT compiler threads; empty where /proc is not there. */
  public static List<Integer> compilerThreads() {
    List<Integer> tids = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String name;
        try {
          name = Files.readString(task.resolve("comm")).strip();
        } catch (IOException gone) {
          continue; // the thread ended since the listing
        }
        // comm holds the first 15 bytes of the name: "C2 CompilerThre"
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          tids.add(Integer.parseInt(task.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      LOG.debug("no {}: {}", TASKS, e.toString());
    }
    return tids;
  }
}
