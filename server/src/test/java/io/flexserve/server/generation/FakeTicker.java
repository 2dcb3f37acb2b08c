package io.flexserve.server.generation;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock for scheduler tests: it starts at a fixed time and moves only by a fixed amount at every
 * read (zero: frozen), so the times a generation sees depend on the scheduler's reads, not on how
 * fast the machine runs.
 */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos;
  private final long nanosPerRead;

  FakeTicker(double startMillis, double millisPerRead) {
    this.nanos = new AtomicLong((long) (startMillis * 1e6));
    this.nanosPerRead = (long) (millisPerRead * 1e6);
  }

  @Override
  public long read() {
    return nanos.getAndAdd(nanosPerRead);
  }
}
