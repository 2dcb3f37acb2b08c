package io.flexserve.models.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link OrtSession.RunOptions} of one inference run that ONNX Runtime abandons at a deadline:
 * a timer thread sets {@code terminate} on them, and the run fails with an {@link OrtException} at
 * its next operator. Closing before the deadline disarms the timer. One per run: a terminated
 * RunOptions stays terminated.
 *
 * <p>The alarm and {@link #close} synchronise on this object, so the timer never touches RunOptions
 * already closed.
 */
public final class TimedRun implements AutoCloseable {
  /**
   * Whether each run hands the CPU arena's unused chunks back at its end. Without it, the arena
   * keeps the high-water mark of the largest batch ever run: one 64 × 256-token embeddings request
   * took the server from 424 to 1011 MB for good; with it, 391 → 427 MB, at the same speed
   * (BENCHMARKS.md, "Memory after a large request"). {@code -Dflexserve.ort.arena-shrinkage=false}
   * turns it off, for comparison.
   */
  static final boolean SHRINK_ARENA =
      !"false".equals(System.getProperty("flexserve.ort.arena-shrinkage"));

  private final OrtSession.RunOptions options;
  private final ScheduledFuture<?> alarm;
  private boolean closed;
  private volatile boolean terminated;

  private TimedRun(OrtSession.RunOptions options, ScheduledExecutorService timer, long delayNanos) {
    this.options = options;
    this.alarm = timer.schedule(this::terminate, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  /** RunOptions that terminate their run {@code delayNanos} from now (at once when ≤ 0). */
  public static TimedRun start(ScheduledExecutorService timer, long delayNanos)
      throws OrtException {
    OrtSession.RunOptions options = new OrtSession.RunOptions();
    if (SHRINK_ARENA) {
      options.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
    }
    return new TimedRun(options, timer, delayNanos);
  }

  public OrtSession.RunOptions options() {
    return options;
  }

  /**
   * Whether the deadline passed and the run was told to stop (its failure is then the timeout, not
   * a bug).
   */
  public boolean terminated() {
    return terminated;
  }

  private synchronized void terminate() {
    if (closed) {
      return;
    }
    try {
      options.setTerminate(true);
      terminated = true;
    } catch (OrtException e) {
      throw new IllegalStateException("could not terminate an ONNX Runtime run", e);
    }
  }

  @Override
  public synchronized void close() {
    alarm.cancel(false);
    closed = true;
    options.close();
  }
}
