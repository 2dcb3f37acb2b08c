package io.flexserve.distill;

import java.time.Duration;

/**
 * The budgets and settings of one training run.
 *
 * @param steps at most this many optimiser steps; 0 for no step budget. With a step budget the
 *     learning-rate schedule follows the steps, so a seeded run is repeatable exactly; without one
 *     it follows the time budget
 * @param budget at most this much wall time in the training loop (evaluation and writing come
 *     after)
 * @param seed makes data order and sub-network sampling repeatable
 * @param learningRate peak learning rate, reached after a warm-up of 5 % and decayed by a cosine to
 *     a tenth; the schedule follows the step budget, or the time budget when there is none
 * @param largestWeight weight of the largest sub-network's loss against 1 for each other: above 1
 *     it holds the full model nearer its teacher while the smaller ones learn
 * @param others sub-networks sampled per step besides the largest and the smallest
 * @param checkpointEvery steps between checkpoints (0: none)
 */
record TrainingPlan(
    int steps,
    Duration budget,
    long seed,
    float learningRate,
    float largestWeight,
    int others,
    int checkpointEvery) {
  TrainingPlan {
    if (steps < 0) {
      throw new IllegalArgumentException("--steps must be ≥ 0, got " + steps);
    }
    if (!(largestWeight > 0)) {
      throw new IllegalArgumentException("--largest-weight must be positive, got " + largestWeight);
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

  /** The last step of the run, or {@link Integer#MAX_VALUE} without a step budget. */
  int lastStep() {
    return steps == 0 ? Integer.MAX_VALUE : steps;
  }

  /** How far the run is, in [0, 1]: by steps when there is a step budget, else by time. */
  double progress(int step, double seconds) {
    return Math.min(1, steps > 0 ? (double) step / steps : seconds / budget.toMillis() * 1000);
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
