package io.flexserve.loadtest.run;

import io.flexserve.loadtest.http.BodyMode;
import io.flexserve.loadtest.http.NettyHttpClient;
import io.flexserve.loadtest.report.GeneratorCost;
import io.flexserve.loadtest.report.Outcome;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Sends prepared requests at pre-computed times, open-loop, and measures each one. */
final class OpenLoopSender {
  /*
   * Open loop, and why. A closed-loop generator (N workers, each sending its next request when the previous one
   * returns) slows down exactly when the server does, so it stops sending during a stall and never measures the
   * requests that real users would have sent then: "coordinated omission" (Gil Tene, "How NOT to Measure Latency",
   * 2013; wrk2). Here every intended send time is fixed before the run starts, and each request's latency is
   * measured from that intended time, so a stall shows up in the latency of every request scheduled during it.
   *
   * Threading. There is one thread: the NettyHttpClient's event loop. The schedule runs there as a task that sends
   * every request whose intended time has come and asks the loop to wake it at the next intended time (Schedule);
   * the same thread writes requests, reads answers and runs each request's Exchange, which builds the immutable
   * record of its own request into its own slot of the records array. The caller only waits: the handedOut latch
   * publishes how far the schedule got, the completed latch orders the records' writes before the caller's reads.
   * If the loop falls behind (a GC pause, a long burst of answers), late requests are sent at once.
   *
   * Why one thread. On this machine (a nested VM) every thread wake-up costs about 30 µs of CPU, more than all the
   * instructions a request needs. A scheduler thread of its own cost a timed wake-up per request, plus a wake-up of
   * the event loop to hand the request over; here a request costs one timed wake-up to send and one to read its
   * answer, and fewer when sends or answers fall close together.
   *
   * Send lag is actual minus intended send time: timer overshoot (tens of microseconds with epoll's timerfd; up to
   * a millisecond with the NIO fallback, whose select rounds up), time the loop spent on other work, and any wait for
   * a free connection at the client's connection cap. It is charged to the request's end-to-end latency. The loop
   * sleeps rather than spins: spinning would buy microseconds of lag with CPU the server on the next core could not
   * use, and the generator's CPU per request is what this design keeps low.
   *
   * Timeouts. The client fails each request with TimeoutException after its timeout, so every record completes;
   * the final wait is bounded by roughly the last intended time plus the timeout. A safety margin beyond that
   * turns a request that never completed (a client bug) into a TIMEOUT record rather than a hang.
   *
   * Cost. CPU of the event-loop thread, and of the whole process (JIT compiler and GC included), are read before
   * and after the run and divided by the requests sent (GeneratorCost).
   */
  private static final Duration SAFETY_GRACE = Duration.ofSeconds(5);

  private OpenLoopSender() {}

  /** The records of a run and what sending it cost. */
  record Sent(List<RequestRecord> records, GeneratorCost cost) {}

  /**
   * Sends {@code requests.get(i)} at {@code planned.get(i).offsetNanos()} after the start and waits
   * for all of them.
   *
   * @param client the client that prepared the requests
   * @param requests one prepared HTTP request per planned request
   * @param planned the schedule, ascending offsets; each record carries its planned request's
   *     target and endpoint kind
   * @param timeout per-request timeout (the one the requests were prepared with)
   * @return one record per request sent, in schedule order (fewer than scheduled only if
   *     interrupted), and the generator's cost
   * @throws InterruptedException if interrupted; sending stops and in-flight requests are abandoned
   */
  static Sent send(
      NettyHttpClient client,
      List<NettyHttpClient.Prepared> requests,
      List<PlannedRequest> planned,
      Duration timeout)
      throws InterruptedException {
    if (requests.size() != planned.size()) {
      throw new IllegalArgumentException(
          requests.size() + " requests for " + planned.size() + " planned");
    }
    int n = planned.size();
    RequestRecord[] records = new RequestRecord[n];
    CountDownLatch completed = new CountDownLatch(n);
    Schedule schedule = new Schedule(client, requests, planned, records, completed);

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean threadCpu = threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    long loopCpuBefore = threadCpu ? threads.getThreadCpuTime(client.eventLoopThreadId()) : -1;
    long processCpuBefore = processCpuNanos();
    long connectionsBefore = client.connectionsOpened();

    schedule.begin();
    try {
      schedule.handedOut.await();
    } catch (InterruptedException e) {
      schedule.stopped = true;
      throw e;
    }
    if (schedule.failure != null) {
      throw new IllegalStateException("the schedule failed", schedule.failure);
    }
    int sent = schedule.next;
    for (int i = sent; i < n; i++) {
      completed.countDown();
    }
    boolean allDone = completed.await(timeout.plus(SAFETY_GRACE).toNanos(), TimeUnit.NANOSECONDS);
    long end = System.nanoTime();
    long processCpuAfter = processCpuNanos();
    long loopCpuAfter = threadCpu ? threads.getThreadCpuTime(client.eventLoopThreadId()) : -1;
    long[] startNanos = {schedule.start};

    List<RequestRecord> out = new ArrayList<>(sent);
    synchronized (records) {
      for (int i = 0; i < sent; i++) {
        RequestRecord r = records[i];
        if (r == null) {
          // Only when the client broke its promise to time every request out; never hang on it.
          PlannedRequest p = planned.get(i);
          long latency = Math.max(0, end - (startNanos[0] + p.offsetNanos()));
          r =
              RequestRecord.failure(
                  i,
                  p.offsetNanos(),
                  p.targetMillis().orElse(Double.NaN),
                  Outcome.TIMEOUT,
                  latency,
                  latency,
                  "TimeoutException: never completed",
                  p.kind().label());
        }
        out.add(r);
      }
    }
    assert allDone || out.stream().anyMatch(r -> r.outcome() == Outcome.TIMEOUT);
    GeneratorCost cost =
        new GeneratorCost(
            sent,
            client.connectionsOpened() - connectionsBefore,
            sent == 0 ? 0 : (end - schedule.start) / 1e9,
            processCpuBefore < 0 ? Double.NaN : (processCpuAfter - processCpuBefore) / 1e9,
            threadCpu && loopCpuBefore >= 0 && loopCpuAfter >= 0
                ? (loopCpuAfter - loopCpuBefore) / 1e9
                : Double.NaN);
    return new Sent(out, cost);
  }

  private static BodyMode mode(PlannedRequest p) {
    if (!p.kind().generation()) {
      return BodyMode.DISCARD;
    }
    return p.kind().streaming() ? BodyMode.LINES : BodyMode.WHOLE;
  }

  /** Process CPU time in nanoseconds; -1 when the JVM does not report it. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Walks the schedule on the client's event loop: each step sends every request whose intended
   * time has come, then asks the loop to run it again at the next intended time. Fields other than
   * {@link #stopped} are written by the loop before {@link #handedOut} counts down, which publishes
   * them to the waiting caller.
   */
  private static final class Schedule implements Runnable {
    final NettyHttpClient client;
    final List<NettyHttpClient.Prepared> requests;
    final List<PlannedRequest> planned;
    final RequestRecord[] records;
    final CountDownLatch completed;
    final CountDownLatch handedOut = new CountDownLatch(1);
    volatile boolean stopped;
    long start;
    int next;
    Throwable failure;

    Schedule(
        NettyHttpClient client,
        List<NettyHttpClient.Prepared> requests,
        List<PlannedRequest> planned,
        RequestRecord[] records,
        CountDownLatch completed) {
      this.client = client;
      this.requests = requests;
      this.planned = planned;
      this.records = records;
      this.completed = completed;
    }

    void begin() {
      start = System.nanoTime();
      if (planned.isEmpty()) {
        handedOut.countDown();
        return;
      }
      client.at(start + planned.get(0).offsetNanos(), this);
    }

    @Override
    public void run() {
      try {
        long now = System.nanoTime();
        while (next < planned.size() && !stopped) {
          PlannedRequest p = planned.get(next);
          if (start + p.offsetNanos() > now) {
            client.at(start + p.offsetNanos(), this);
            return;
          }
          client.send(
              requests.get(next),
              mode(p),
              new RecordingExchange(next, p, start, records, completed));
          next++;
          now = System.nanoTime();
        }
        handedOut.countDown();
      } catch (RuntimeException | Error e) {
        failure = e;
        handedOut.countDown();
      }
    }
  }
}
