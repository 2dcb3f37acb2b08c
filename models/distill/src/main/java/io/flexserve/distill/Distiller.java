package io.flexserve.distill;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop of elastic distillation, the same for every bundle kind.
 *
 * <p>One copy of the weights is trained: every sub-network reads prefixes of the same student
 * tensors, so a step's loss over several sub-networks (the {@link Sandwich}) sends all their
 * gradients into that one copy, and the importance order of heads and neurons is kept (nothing is
 * re-ranked, so nothing needs re-permuting). The teacher is a frozen copy of the tensors as they
 * came, run as the full sub-network.
 *
 * <p>Memory stays bounded: parameters, teacher and optimiser moments are allocated once; every
 * array a step creates is closed with the step's {@link NDScope}. Threading: one thread drives
 * PyTorch, whose kernels use the {@code ai.djl.pytorch.num_threads} intra-op threads.
 */
final class Distiller {
  private static final float CLIP_NORM = 1f;
  private static final int MAX_SKIPPED_IN_A_ROW = 5;

  /**
   * What a run produced.
   *
   * @param skipped steps whose gradient was not finite, dropped without an update
   * @param weights the trained tensors by key (every tensor {@link DistillTask#trainable} says is
   *     trained)
   */
  record Result(
      int steps, long tokens, double seconds, int skipped, Map<String, float[]> weights) {}

  private Distiller() {}

  /**
   * Drops every gradient by replacing each parameter with a copy that has none (an accumulated NaN
   * cannot be zeroed in place: NaN − NaN is NaN). The optimiser's moments are kept, by name.
   */
  private static void resetGradients(
      Map<String, NDArray> parameters, Map<String, NDArray> student, DistillTask task) {
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray fresh = e.getValue().duplicate();
      fresh.setRequiresGradient(true);
      e.getValue().close();
      e.setValue(fresh);
      student.put(e.getKey(), fresh);
    }
    if (task instanceof DecoderTask d && d.tied()) {
      student.put("lm_head", student.get("embed"));
    }
  }

  /**
   * Trains {@code task}'s student from {@code initial} (all tensors by key) until a budget of
   * {@code plan} runs out.
   *
   * @param checkpoint directory of the resumable state, written every {@link
   *     TrainingPlan#checkpointEvery()} steps
   * @param resume continue from {@code checkpoint} (it must exist, for the same bundle and seed)
   * @param stopAfter leave the loop after this step as an interrupted run would, the plan unchanged
   *     (tests of resume)
   */
  static Result train(
      DistillTask task,
      Path bundle,
      Map<String, float[]> initial,
      TrainingPlan plan,
      Path checkpoint,
      boolean resume,
      int stopAfter,
      PrintStream out)
      throws IOException {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      Map<String, NDArray> teacher = new LinkedHashMap<>();
      Map<String, NDArray> student = new LinkedHashMap<>();
      Map<String, NDArray> parameters = new LinkedHashMap<>();
      for (Map.Entry<String, ai.djl.ndarray.types.Shape> e : task.shapes().entrySet()) {
        String key = e.getKey();
        NDArray frozen = OwnedArrays.of(manager, initial.get(key), e.getValue());
        teacher.put(key, frozen);
        if (task.trainable(key)) {
          NDArray p = OwnedArrays.of(manager, initial.get(key), e.getValue());
          p.setRequiresGradient(true);
          parameters.put(key, p);
          student.put(key, p);
        } else {
          student.put(key, frozen);
        }
      }
      if (task instanceof DecoderTask d && d.tied()) {
        student.put("lm_head", student.get("embed")); // one tensor in the file, one in training
      }
      AdamW optimizer = new AdamW(parameters, 0f);

      int step = 0;
      long tokens = 0;
      double spentBefore = 0;
      List<String> keys = new ArrayList<>(parameters.keySet());
      String source = bundle.toAbsolutePath().normalize().toString();
      if (resume) {
        TrainingCheckpoint.State state = TrainingCheckpoint.state(checkpoint);
        if (!state.bundle().equals(source)
            || state.seed() != plan.seed()
            || !state.keys().equals(keys)) {
          throw new IllegalArgumentException(
              "checkpoint "
                  + checkpoint
                  + " is of another run (bundle "
                  + state.bundle()
                  + ", seed "
                  + state.seed()
                  + "): resume with the same --bundle and --seed");
        }
        TrainingCheckpoint.restore(checkpoint, state, parameters, optimizer);
        step = state.step();
        tokens = state.tokens();
        spentBefore = state.seconds();
        out.printf("resumed at step %d (%,d tokens, %.0f s)%n", step, tokens, spentBefore);
      }

      Sandwich sandwich = new Sandwich(task.menu(), task.smallest(), plan.others());
      long started = System.nanoTime();
      double smoothed = Double.NaN;
      int skipped = 0;
      int skippedInARow = 0;
      try (TrainingProgress progress =
          new TrainingProgress(plan.steps(), plan.budget(), step, out)) {
        while (step < Math.min(plan.lastStep(), stopAfter)) {
          double seconds = spentBefore + (System.nanoTime() - started) / 1e9;
          if (seconds * 1000 >= plan.budget().toMillis()) {
            break;
          }
          List<String> subnets = sandwich.pick(new Random(plan.seed() * 31 + step));
          DistillTask.Batch batch = task.batch(plan.seed(), step);
          float loss;
          try (NDScope scope = new NDScope();
              GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray l = task.loss(student, teacher, batch, subnets, plan.largestWeight());
            collector.backward(l);
            loss = l.getFloat();
          }
          if (!Float.isFinite(loss)) {
            throw new IllegalStateException(
                "the loss is " + loss + " at step " + step + ": try a smaller --lr");
          }
          // A step whose gradient is not finite is skipped, as mixed-precision training skips an
          // overflowing step;
          // the step is dropped and counted, and the run fails only when it keeps happening. (The
          // sporadic NaN in the
          // first layer's attention gradients seen before came from DJL's Number overloads freeing
          // a scalar that
          // autograd still read: see OwnedArrays. A skip now means a real overflow.)
          float clip = AdamW.clipFactor(parameters, CLIP_NORM);
          if (Float.isFinite(clip)) {
            optimizer.update(
                parameters, step + 1, plan.learningRate(plan.progress(step, seconds)), clip);
            skippedInARow = 0;
          } else {
            resetGradients(parameters, student, task);
            skipped++;
            if (++skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
              throw new IllegalStateException(
                  "the gradient was not finite "
                      + skippedInARow
                      + " steps in a row, at step "
                      + step
                      + ": try a smaller --lr");
            }
          }
          step++;
          tokens += batch.tokens();
          smoothed = Double.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
          double elapsed = spentBefore + (System.nanoTime() - started) / 1e9;
          progress.update(
              step, smoothed, tokens / Math.max(elapsed, 1e-9), Duration.ofSeconds((long) elapsed));
          if (plan.checkpointEvery() > 0 && step % plan.checkpointEvery() == 0) {
            TrainingCheckpoint.save(
                checkpoint,
                new TrainingCheckpoint.State(source, plan.seed(), step, tokens, elapsed, keys),
                parameters,
                optimizer);
          }
        }
      }
      double seconds = spentBefore + (System.nanoTime() - started) / 1e9;
      Map<String, float[]> trained = new LinkedHashMap<>();
      parameters.forEach((k, p) -> trained.put(k, p.toFloatArray()));
      return new Result(step, tokens, seconds, skipped, trained);
    }
  }
}
