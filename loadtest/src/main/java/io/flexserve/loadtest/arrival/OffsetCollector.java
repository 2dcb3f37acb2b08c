package io.flexserve.loadtest.arrival;

import java.util.Arrays;

/** Collects offsets in seconds as nanoseconds until a {@link ScheduleBounds} is reached. */
final class OffsetCollector {
  private final ScheduleBounds bounds;
  private long[] nanos = new long[64];
  private int size;

  OffsetCollector(ScheduleBounds bounds) {
    this.bounds = bounds;
  }

  /** Adds the offset if it is within bounds; returns whether another offset may follow. */
  boolean add(double offsetSeconds) {
    if (size >= bounds.maxRequests() || offsetSeconds >= bounds.durationSeconds()) {
      return false;
    }
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, Math.min(nanos.length * 2, ScheduleBounds.HARD_CAP));
    }
    nanos[size++] = Math.round(offsetSeconds * 1e9);
    return size < bounds.maxRequests();
  }

  long[] toArray() {
    return Arrays.copyOf(nanos, size);
  }
}
