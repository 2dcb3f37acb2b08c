package io.flexserve.distill;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * What a long training run shows: a progress bar with the loss and tokens/s on a terminal, and a plain line every
 * {@value #LINE_SECONDS} seconds (and at the end) when the output is a file or a pipe.
 */
final class TrainingProgress implements AutoCloseable {
  private static final int LINE_SECONDS = 10;

  private final ProgressBar bar; // null when not on a terminal
  private final PrintStream out;
  private final int steps;
  private long lastLine;

  TrainingProgress(int steps, int startStep, PrintStream out) {
    this.steps = steps;
    this.out = out;
    this.bar = System.console() == null ? null
        : new ProgressBarBuilder().setTaskName("distill").setInitialMax(steps).startsFrom(startStep, Duration.ZERO).build();
  }

  void update(int step, double loss, double tokensPerSecond, Duration elapsed) {
    String message = String.format("loss %.4f · %,.0f tok/s", loss, tokensPerSecond);
    if (bar != null) {
      bar.stepTo(step);
      bar.setExtraMessage(message);
      return;
    }
    long now = System.nanoTime();
    if (now - lastLine >= LINE_SECONDS * 1_000_000_000L || step == steps) {
      lastLine = now;
      out.printf("step %d/%d  %s  %ds%n", step, steps, message, elapsed.toSeconds());
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
