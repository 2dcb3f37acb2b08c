package io.flexserve.models;

/**
 * Receives progress of a long model job (conversion steps, evaluation); the CLI shows each step as
 * a progress bar. Called from the job's thread.
 */
public interface Progress {
  void update(String step, int done, int total);

  Progress NONE = (step, done, total) -> {};
}
