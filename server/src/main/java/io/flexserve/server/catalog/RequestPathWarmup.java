package io.flexserve.server.catalog;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each ready model's {@link WarmupCall}s to the server's own port, over loopback, for a fixed
 * time after the models load and before readiness turns true. Loading profiles only ONNX Runtime;
 * the rest of a request's path (Netty's codec, JSON, the tokenizer, admission, the scheduler, the
 * answer) runs interpreted until the JIT has seen it thousands of times, and on one core its
 * compiles took seconds of the first real traffic. The first overload was the worst: its 429s took
 * up to 7 ms while the refusal path compiled (BENCHMARKS.md, issue 19).
 *
 * <p>The schedule: two requests in flight, cycling through every call, and once a second a burst of
 * {@value #BURST_SIZE} of the calls marked {@link WarmupCall#burst} at once, which admission mostly
 * refuses. The last {@value #CALM_END_SECONDS} s are calm, so the overload the bursts leave behind
 * (the scheduler's overload hold and allowance) has lapsed or decayed when clients come.
 *
 * <p>Its requests are real ones: they count in {@code /metrics} like any other. A request that
 * fails on the way (the port unreachable, TLS the client does not trust) ends the warm-up early
 * after {@value #GIVE_UP_AFTER_FAILURES} in a row: readiness is never held for more than its budget
 * and one request's timeout.
 */
final class RequestPathWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(RequestPathWarmup.class);

  static final int STEADY_IN_FLIGHT = 2;
  static final int BURST_SIZE = 48;
  static final int CALM_END_SECONDS = 2;
  private static final Duration BURST_EVERY = Duration.ofSeconds(1);
  private static final int GIVE_UP_AFTER_FAILURES = 10;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The status counted for a request that got no HTTP answer. */
  static final int NO_ANSWER = -1;

  /**
   * What the warm-up sent.
   *
   * @param sent requests sent
   * @param statuses how many got each HTTP status ({@link #NO_ANSWER}: none), by status
   * @param answeredByModel how many each model answered 2xx, by model name
   * @param took how long it ran
   */
  record Report(
      int sent,
      SortedMap<Integer, Integer> statuses,
      SortedMap<String, Integer> answeredByModel,
      Duration took) {}

  private record Target(String model, WarmupCall call) {}

  private final HttpClient client;
  private final URI base;
  private final Optional<String> apiKey;
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private int sent;

  private RequestPathWarmup(URI base, Optional<String> apiKey) {
    this.base = base;
    this.apiKey = apiKey;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * Warms {@code models}' request paths for {@code budget}.
   *
   * @param base the server's own address, e.g. {@code http://localhost:8080}
   * @param apiKey a configured API key, when authentication is on
   * @param stop whether to stop before the budget is spent (shutdown has begun)
   */
  static Report run(
      URI base,
      List<ServedModel> models,
      Duration budget,
      Optional<String> apiKey,
      java.util.function.BooleanSupplier stop)
      throws InterruptedException {
    return new RequestPathWarmup(base, apiKey).run(models, budget, stop);
  }

  private Report run(
      List<ServedModel> models, Duration budget, java.util.function.BooleanSupplier stop)
      throws InterruptedException {
    List<Target> all = new ArrayList<>();
    for (ServedModel m : models) {
      m.warmupCalls().forEach(c -> all.add(new Target(m.name(), c)));
    }
    List<Target> burstable = all.stream().filter(t -> t.call().burst()).toList();
    long start = System.nanoTime();
    long end = start + budget.toNanos();
    long calmFrom = end - Duration.ofSeconds(CALM_END_SECONDS).toNanos();
    long nextBurst = start + BURST_EVERY.toNanos() / 2;
    int next = 0;
    int nextBurstable = 0;
    while (!all.isEmpty()
        && System.nanoTime() < end
        && failuresInARow.get() < GIVE_UP_AFTER_FAILURES
        && !stop.getAsBoolean()) {
      long now = System.nanoTime();
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      if (!burstable.isEmpty() && now >= nextBurst && now < calmFrom) {
        for (int i = 0; i < BURST_SIZE; i++) {
          inFlight.add(send(burstable.get(nextBurstable++ % burstable.size())));
        }
        nextBurst = now + BURST_EVERY.toNanos();
      } else {
        for (int i = 0; i < STEADY_IN_FLIGHT; i++) {
          inFlight.add(send(all.get(next++ % all.size())));
        }
      }
      // send() counts a failure as NO_ANSWER, so these futures never complete exceptionally
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    if (failuresInARow.get() >= GIVE_UP_AFTER_FAILURES) {
      LOG.warn(
          "warm-up: {} requests in a row to {} got no answer; stopped early", failuresInARow, base);
    }
    SortedMap<Integer, Integer> byStatus = new TreeMap<>();
    statuses.forEach((s, n) -> byStatus.put(s, n.get()));
    SortedMap<String, Integer> byModel = new TreeMap<>();
    answered.forEach((m, n) -> byModel.put(m, n.get()));
    return new Report(sent, byStatus, byModel, Duration.ofNanos(System.nanoTime() - start));
  }

  private CompletableFuture<Void> send(Target target) {
    WarmupCall call = target.call();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(call.path()))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", call.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(call.body().apply(sent++)));
    call.headers().forEach(request::header);
    apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, failure) -> {
              int status = failure == null ? response.statusCode() : NO_ANSWER;
              statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
              if (status == NO_ANSWER) {
                failuresInARow.incrementAndGet();
                LOG.debug("warm-up request to {} failed", call.path(), failure);
              } else {
                failuresInARow.set(0);
              }
              if (status >= 200 && status < 300) {
                answered
                    .computeIfAbsent(target.model(), m -> new AtomicInteger())
                    .incrementAndGet();
              }
              return null;
            });
  }
}
