package io.flexserve.loadtest.run;

import io.flexserve.loadtest.endpoint.GenerationRequests;
import io.flexserve.loadtest.endpoint.ResponseHeaders;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** Sends pre-built requests at pre-computed times, open-loop, and measures each one. */
final class OpenLoopSender {
  /*
   * Open loop, and why. A closed-loop generator (N workers, each sending its next request when the previous one
   * returns) slows down exactly when the server does, so it stops sending during a stall and never measures the
   * requests that real users would have sent then: "coordinated omission" (Gil Tene, "How NOT to Measure Latency",
   * 2013; wrk2). Here every intended send time is fixed before the run starts, and each request's latency is
   * measured from that intended time, so a stall shows up in the latency of every request scheduled during it.
   *
   * Threading. One scheduler thread (this class's `send` starts it and joins it) walks the schedule in order: it
   * waits until a request's intended time, stamps the actual send time and calls HttpClient.sendAsync, which
   * returns at once. It never waits on a response. If it falls behind (a slow sendAsync, a GC pause), it sends
   * late requests immediately; their lateness is charged to their end-to-end latency and reported as send lag.
   * Completion callbacks run on the client's executor (or the CompletableFuture timeout thread); each builds the
   * immutable record of its own request and touches no shared state. The scheduler thread alone writes the
   * futures array; the caller reads it after Thread.join, which orders those writes before the reads. Anything
   * the scheduler thread throws is handed to the caller through an AtomicReference and rethrown there.
   *
   * Timeouts. HttpRequest.timeout() aborts the exchange; orTimeout on the future bounds the wait even where the
   * client's timeout does not cover the body. Both classify as TIMEOUT. Every future therefore completes, and the
   * final join is bounded by roughly the last intended time plus the timeout.
   *
   * Waiting. parkNanos overshoots by tens of microseconds, so the scheduler parks until SPIN_NANOS before the
   * intended time and spins the rest.
   */
  private static final long SPIN_NANOS = 100_000;
  private static final Duration TIMEOUT_GRACE = Duration.ofMillis(500);

  private OpenLoopSender() {}

  /**
   * Sends {@code requests.get(i)} at {@code planned.get(i).offsetNanos()} after the start and waits
   * for all of them.
   *
   * @param client the client
   * @param requests one HTTP request per planned request
   * @param planned the schedule, ascending offsets; each record carries its planned request's
   *     target
   * @param timeout per-request timeout, from the actual send
   * @return one record per request sent, in schedule order; fewer than scheduled only if
   *     interrupted
   * @throws InterruptedException if interrupted; sending stops and in-flight requests are abandoned
   */
  static List<RequestRecord> send(
      HttpClient client, List<HttpRequest> requests, List<PlannedRequest> planned, Duration timeout)
      throws InterruptedException {
    if (requests.size() != planned.size()) {
      throw new IllegalArgumentException(
          requests.size() + " requests for " + planned.size() + " planned");
    }
    long[] offsetsNanos = new long[planned.size()];
    double[] targetsMillis = new double[planned.size()];
    for (int i = 0; i < offsetsNanos.length; i++) {
      offsetsNanos[i] = planned.get(i).offsetNanos();
      targetsMillis[i] = planned.get(i).targetMillis().orElse(Double.NaN);
    }
    @SuppressWarnings("unchecked")
    CompletableFuture<RequestRecord>[] futures = new CompletableFuture[offsetsNanos.length];
    Duration hardTimeout = timeout.plus(TIMEOUT_GRACE);
    AtomicReference<Throwable> schedulerFailure = new AtomicReference<>();

    Thread scheduler =
        new Thread(
            () -> {
              try {
                long start = System.nanoTime();
                for (int i = 0; i < offsetsNanos.length; i++) {
                  if (!waitUntil(start + offsetsNanos[i])) {
                    return;
                  }
                  futures[i] =
                      planned.get(i).kind().generation()
                          ? sendGeneration(
                              client,
                              requests.get(i),
                              i,
                              start,
                              offsetsNanos[i],
                              targetsMillis[i],
                              planned.get(i).kind(),
                              hardTimeout)
                          : sendOne(
                              client,
                              requests.get(i),
                              i,
                              start,
                              offsetsNanos[i],
                              targetsMillis[i],
                              planned.get(i).kind(),
                              hardTimeout);
                }
              } catch (RuntimeException | Error e) {
                schedulerFailure.set(e);
              }
            },
            "loadtest-scheduler");
    scheduler.setPriority(Thread.MAX_PRIORITY);
    scheduler.setDaemon(true);
    scheduler.start();
    try {
      scheduler.join();
    } catch (InterruptedException e) {
      scheduler.interrupt();
      throw e;
    }
    if (schedulerFailure.get() != null) {
      throw new IllegalStateException("the scheduler thread failed", schedulerFailure.get());
    }

    List<RequestRecord> records = new ArrayList<>(futures.length);
    for (CompletableFuture<RequestRecord> future : futures) {
      if (future == null) {
        break;
      }
      try {
        records.add(future.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "record future failed; the handler should never throw", e.getCause());
      }
    }
    return records;
  }

  private static CompletableFuture<RequestRecord> sendOne(
      HttpClient client,
      HttpRequest request,
      int index,
      long start,
      long offsetNanos,
      double targetMillis,
      EndpointKind kind,
      Duration hardTimeout) {
    long intended = start + offsetNanos;
    long sentAt = System.nanoTime();
    CompletableFuture<HttpResponse<Void>> response;
    try {
      response = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    return response
        .orTimeout(hardTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (r, error) -> {
              long done = System.nanoTime();
              long latency = done - intended;
              long service = done - sentAt;
              if (error == null) {
                return ResponseHeaders.toRecord(
                    index,
                    offsetNanos,
                    targetMillis,
                    r.statusCode(),
                    r.headers(),
                    latency,
                    service,
                    kind.label());
              }
              Throwable cause = unwrap(error);
              return RequestRecord.failure(
                  index,
                  offsetNanos,
                  targetMillis,
                  classify(cause),
                  latency,
                  service,
                  describe(cause),
                  kind.label());
            });
  }

  // Completions and chat: a stream is read line by line as it arrives (no thread waits on it), each
  // data line
  // stamped on arrival; a whole answer is read as a string. Timeouts and failures are classified as
  // for embeddings.
  private static CompletableFuture<RequestRecord> sendGeneration(
      HttpClient client,
      HttpRequest request,
      int index,
      long start,
      long offsetNanos,
      double targetMillis,
      EndpointKind kind,
      Duration hardTimeout) {
    long intended = start + offsetNanos;
    long sentAt = System.nanoTime();
    CompletableFuture<RequestRecord> record;
    try {
      if (kind.streaming()) {
        record =
            client
                .sendAsync(
                    request,
                    HttpResponse.BodyHandlers.fromLineSubscriber(
                        new GenerationRequests.SseCollector(intended),
                        GenerationRequests.SseCollector::events,
                        null))
                .thenApply(
                    r -> {
                      long done = System.nanoTime();
                      return GenerationRequests.streamRecord(
                          index,
                          offsetNanos,
                          targetMillis,
                          kind,
                          r.statusCode(),
                          r.headers(),
                          r.body(),
                          done - intended,
                          done - sentAt);
                    });
      } else {
        record =
            client
                .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(
                    r -> {
                      long done = System.nanoTime();
                      return GenerationRequests.wholeRecord(
                          index,
                          offsetNanos,
                          targetMillis,
                          kind,
                          r.statusCode(),
                          r.headers(),
                          r.body(),
                          done - intended,
                          done - sentAt);
                    });
      }
    } catch (RuntimeException e) {
      record = CompletableFuture.failedFuture(e);
    }
    return record
        .orTimeout(hardTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (r, error) -> {
              if (error == null) {
                return r;
              }
              long done = System.nanoTime();
              Throwable cause = unwrap(error);
              return RequestRecord.failure(
                  index,
                  offsetNanos,
                  targetMillis,
                  classify(cause),
                  done - intended,
                  done - sentAt,
                  describe(cause),
                  kind.label());
            });
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static Outcome classify(Throwable cause) {
    return cause instanceof TimeoutException || cause instanceof HttpTimeoutException
        ? Outcome.TIMEOUT
        : Outcome.TRANSPORT_ERROR;
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * Waits until {@code System.nanoTime()} reaches {@code deadline}; returns false if interrupted.
   */
  private static boolean waitUntil(long deadline) {
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      if (left > SPIN_NANOS) {
        LockSupport.parkNanos(left - SPIN_NANOS);
      } else {
        Thread.onSpinWait();
      }
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
  }
}
