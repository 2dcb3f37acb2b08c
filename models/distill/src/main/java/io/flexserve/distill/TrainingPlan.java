package io.flexserve.distill;

import java.time.Duration;

/**
 * The budgets and settings of one training run.
 *
 * @param steps at most this many optimiser steps
 * @param budget at most this much wall time in the training loop (evaluation and writing come after)
 * @param seed makes data order and sub-network sampling repeatable
 * @param learningRate peak learning rate, reached after a warm-up of 5 % and decayed by a cosine to a tenth; the
 *     schedule follows whichever budget is nearer its end
 * @param others sub-networks sampled per step besides the largest and the smallest
 * @param checkpointEvery steps between checkpoints (0: none)
 */
record TrainingPlan(int steps, Duration budget, long seed, float learningRate, int others, int checkpointEvery) {
  TrainingPlan {
    if (steps <= 0) {
      throw new IllegalArgumentException("--steps must be positive, got " + steps);
    }
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("--minutes must be positive, got " + budget);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
    }
    if (others < 0 || checkpointEvery < 0) {
      throw new IllegalArgumentException("--others and --checkpoint-every must be ≥ 0");
    }
  }

  /** The learning rate at {@code progress} ∈ [0, 1] of the run. */
  float learningRate(double progress) {
    double warmup = 0.05;
    if (progress < warmup) {
      return (float) (learningRate * (0.1 + 0.9 * progress / warmup));
    }
    double t = Math.min(1, (progress - warmup) / (1 - warmup));
    return (float) (learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t))));
  }
}
