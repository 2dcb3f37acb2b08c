package io.flexserve.distill;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * What a long training run shows: a progress bar with the loss and tokens/s on a terminal, and a
 * plain line every {@value #LINE_SECONDS} seconds (and at the end) when the output is a file or a
 * pipe. The bar counts steps when the run has a step budget, else seconds of its time budget.
 */
final class TrainingProgress implements AutoCloseable {
  private static final int LINE_SECONDS = 10;

  private final ProgressBar bar; // null when not on a terminal
  private final PrintStream out;
  private final int steps; // 0: no step budget
  private final long budgetSeconds;
  private long lastLine;

  TrainingProgress(int steps, Duration budget, int startStep, PrintStream out) {
    this.steps = steps;
    this.budgetSeconds = Math.max(1, budget.toSeconds());
    this.out = out;
    this.bar =
        System.console() == null
            ? null
            : steps > 0
                ? new ProgressBarBuilder()
                    .setTaskName("distill")
                    .setInitialMax(steps)
                    .startsFrom(startStep, Duration.ZERO)
                    .build()
                : new ProgressBarBuilder()
                    .setTaskName("distill")
                    .setInitialMax(budgetSeconds)
                    .setUnit(" s", 1)
                    .build();
  }

  void update(int step, double loss, double tokensPerSecond, Duration elapsed) {
    String message =
        String.format("step %,d · loss %.4f · %,.0f tok/s", step, loss, tokensPerSecond);
    if (bar != null) {
      bar.stepTo(steps > 0 ? step : Math.min(budgetSeconds, elapsed.toSeconds()));
      bar.setExtraMessage(message);
      return;
    }
    long now = System.nanoTime();
    if (now - lastLine >= LINE_SECONDS * 1_000_000_000L || step == steps) {
      lastLine = now;
      out.printf(
          "%s  %d/%d s%s%n",
          message, elapsed.toSeconds(), budgetSeconds, steps > 0 ? "  of " + steps + " steps" : "");
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
