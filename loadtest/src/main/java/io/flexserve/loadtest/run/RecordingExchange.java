package io.flexserve.loadtest.run;

import io.flexserve.loadtest.endpoint.GenerationRequests;
import io.flexserve.loadtest.endpoint.ResponseHeaders;
import io.flexserve.loadtest.http.Exchange;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.net.http.HttpHeaders;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * Turns what the client reports about one request into its {@link RequestRecord}, written to its
 * slot of the run's records array. Runs on the client's event-loop thread only (see {@link
 * Exchange}); the latch publishes the slot to the thread that awaits it.
 */
final class RecordingExchange implements Exchange {
  private final int slot;
  private final PlannedRequest planned;
  private final long intended; // System.nanoTime() at the intended send time
  private final RequestRecord[] records;
  private final CountDownLatch completed;
  private final GenerationRequests.SseCollector stream;
  private long sentAt = -1;

  RecordingExchange(
      int slot,
      PlannedRequest planned,
      long start,
      RequestRecord[] records,
      CountDownLatch completed) {
    this.slot = slot;
    this.planned = planned;
    this.intended = start + planned.offsetNanos();
    this.records = records;
    this.completed = completed;
    this.stream = planned.kind().streaming() ? new GenerationRequests.SseCollector(intended) : null;
  }

  @Override
  public void sent(long nanos) {
    sentAt = Math.max(nanos, intended);
  }

  @Override
  public void line(String line, long nanos) {
    if (stream != null) {
      stream.line(line, nanos);
    }
  }

  @Override
  public void completed(int status, HttpHeaders headers, String body, long nanos) {
    long latency = Math.max(0, nanos - intended);
    long service = Math.min(latency, Math.max(0, nanos - sent()));
    int index = slot;
    long offset = planned.offsetNanos();
    double target = planned.targetMillis().orElse(Double.NaN);
    EndpointKind kind = planned.kind();
    RequestRecord r;
    if (!kind.generation()) {
      r =
          ResponseHeaders.toRecord(
              index, offset, target, status, headers, latency, service, kind.label());
    } else if (kind.streaming()) {
      r =
          GenerationRequests.streamRecord(
              index, offset, target, kind, status, headers, stream.events(), latency, service);
    } else {
      r =
          GenerationRequests.wholeRecord(
              index, offset, target, kind, status, headers, body, latency, service);
    }
    finish(r);
  }

  @Override
  public void failed(Throwable cause, long nanos) {
    long latency = Math.max(0, nanos - intended);
    long service = Math.min(latency, Math.max(0, nanos - sent()));
    String message = cause.getMessage();
    finish(
        RequestRecord.failure(
            slot,
            planned.offsetNanos(),
            planned.targetMillis().orElse(Double.NaN),
            cause instanceof TimeoutException ? Outcome.TIMEOUT : Outcome.TRANSPORT_ERROR,
            latency,
            service,
            publicClass(cause).getSimpleName() + (message == null ? "" : ": " + message),
            planned.kind().label()));
  }

  // The JDK class a transport's own exception extends (Netty's AnnotatedConnectException is a
  // ConnectException), so error kinds keep the names the report has always grouped by.
  private static Class<?> publicClass(Throwable cause) {
    Class<?> c = cause.getClass();
    while (!c.getName().startsWith("java.") && c.getSuperclass() != null) {
      c = c.getSuperclass();
    }
    return c;
  }

  // A request that failed before it was sent has no service time: all of its latency is lag.
  private long sent() {
    return sentAt < 0 ? Long.MAX_VALUE / 2 : sentAt;
  }

  private void finish(RequestRecord r) {
    synchronized (records) {
      records[slot] = r;
    }
    completed.countDown();
  }
}
