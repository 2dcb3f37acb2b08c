package io.flexserve.loadtest.run;

import io.flexserve.loadtest.http.BodyMode;
import io.flexserve.loadtest.http.Exchange;
import io.flexserve.loadtest.http.NettyHttpClient;
import io.flexserve.loadtest.http.OutgoingRequest;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Warms the load generator up before a run: a few thousand cheap {@code GET}s of the liveness probe
 * ({@code /v2/health/live}) through the run's client, a few chains at a time, each sending its next
 * request when the previous one has answered.
 */
final class WarmUp {
  /*
   * Why. A cold JVM runs the client's code interpreted for its first few thousand requests and
   * compiles it meanwhile: measured here, the first second of a run then sends up to 200 ms late and,
   * with answers piling up, opens a hundred connections. Liveness probes exercise the same code
   * (event loop, request writing, response decoding, connection pool) without loading the model
   * under test, and the connections they open stay in the pool for the run. Closed loop on purpose:
   * the warm-up measures nothing, so it must never queue up.
   */
  private static final int CHAINS = 4;

  private WarmUp() {}

  /**
   * Sends {@code count} probes of {@code probeUri} and waits for them, at most {@code limit}. Any
   * answer will do, and failures are ignored: the run that follows reports what the server does.
   */
  static void run(NettyHttpClient client, URI probeUri, int count, Duration limit)
      throws InterruptedException {
    NettyHttpClient.Prepared probe =
        client.prepare(
            new OutgoingRequest("GET", probeUri, Map.of(), new byte[0], Duration.ofSeconds(5)));
    CountDownLatch done = new CountDownLatch(count);
    for (int c = 0; c < Math.min(CHAINS, count); c++) {
      client.send(probe, BodyMode.WHOLE, new Chain(client, probe, done));
    }
    done.await(limit.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** One closed-loop chain of probes; runs on the event loop. */
  private static final class Chain implements Exchange {
    private final NettyHttpClient client;
    private final NettyHttpClient.Prepared probe;
    private final CountDownLatch done;

    Chain(NettyHttpClient client, NettyHttpClient.Prepared probe, CountDownLatch done) {
      this.client = client;
      this.probe = probe;
      this.done = done;
    }

    @Override
    public void sent(long nanos) {}

    @Override
    public void completed(int status, HttpHeaders headers, String body, long nanos) {
      next();
    }

    @Override
    public void failed(Throwable cause, long nanos) {
      next();
    }

    private void next() {
      done.countDown();
      // more in flight than remain would overshoot the count, which is harmless
      if (done.getCount() >= CHAINS) {
        client.send(probe, BodyMode.WHOLE, this);
      }
    }
  }
}
