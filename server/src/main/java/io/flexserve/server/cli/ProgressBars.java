package io.flexserve.server.cli;

import io.flexserve.models.Progress;
import java.util.HashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/** Shows each step a long job reports as its own progress bar (me.tongfei progressbar). */
final class ProgressBars implements Progress, AutoCloseable {
  private final Map<String, ProgressBar> bars = new HashMap<>();

  @Override
  public void update(String step, int done, int total) {
    ProgressBar bar = bars.computeIfAbsent(step, s -> new ProgressBar(s, total));
    bar.stepTo(done);
    if (done >= total) {
      bar.close();
    }
  }

  @Override
  public void close() {
    bars.values().forEach(ProgressBar::close);
  }
}
