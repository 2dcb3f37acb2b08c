package io.flexserve.toolchain;

import io.flexserve.models.Progress;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Shows each step a long job reports: as a progress bar (me.tongfei progressbar) on a terminal, and
 * as plain lines on stderr otherwise (a log file or CI gets no ANSI codes and no {@code \r}
 * redraws): one line per tenth of the step and one when it is done.
 */
final class ProgressBars implements Progress, AutoCloseable {
  private final boolean terminal;
  private final PrintStream plain;
  private final Map<String, ProgressBar> bars = new HashMap<>();

  /** Plain mode: the last tenth printed per step. */
  private final Map<String, Integer> printed = new HashMap<>();

  ProgressBars() {
    this(System.console() != null, System.err);
  }

  ProgressBars(boolean terminal, PrintStream plain) {
    this.terminal = terminal;
    this.plain = plain;
  }

  @Override
  public void update(String step, int done, int total) {
    if (!terminal) {
      int tenth = total <= 0 ? 10 : Math.min(10, (int) (10L * done / total));
      if (tenth > printed.getOrDefault(step, -1)) {
        printed.put(step, tenth);
        plain.printf(
            Locale.ROOT,
            "%s: %d/%d (%d%%)%n",
            step,
            done,
            total,
            total <= 0 ? 100 : 100L * done / total);
      }
      return;
    }
    ProgressBar bar =
        bars.computeIfAbsent(
            step, s -> new ProgressBarBuilder().setTaskName(s).setInitialMax(total).build());
    bar.stepTo(done);
    if (done >= total) {
      bars.remove(step).close(); // closed once: a second close would draw the bar again
    }
  }

  @Override
  public void close() {
    bars.values().forEach(ProgressBar::close);
    bars.clear();
  }
}
