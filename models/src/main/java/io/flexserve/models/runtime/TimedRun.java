package io.flexserve.models.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link OrtSession.RunOptions} of one inference run that ONNX Runtime abandons at a deadline: a timer thread sets
 * {@code terminate} on them, and the run fails with an {@link OrtException} at its next operator. Closing before
 * the deadline disarms the timer. One per run: a terminated RunOptions stays terminated.
 *
 * <p>The alarm and {@link #close} synchronise on this object, so the timer never touches RunOptions already closed.
 */
public final class TimedRun implements AutoCloseable {
  private final OrtSession.RunOptions options;
  private final ScheduledFuture<?> alarm;
  private boolean closed;
  private volatile boolean terminated;

  private TimedRun(OrtSession.RunOptions options, ScheduledExecutorService timer, long delayNanos) {
    this.options = options;
    this.alarm = timer.schedule(this::terminate, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  /** RunOptions that terminate their run {@code delayNanos} from now (at once when ≤ 0). */
  public static TimedRun start(ScheduledExecutorService timer, long delayNanos) throws OrtException {
    return new TimedRun(new OrtSession.RunOptions(), timer, delayNanos);
  }

  public OrtSession.RunOptions options() {
    return options;
  }

  /** Whether the deadline passed and the run was told to stop (its failure is then the timeout, not a bug). */
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
