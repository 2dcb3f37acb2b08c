package io.flexserve.router.sim;

import io.flexserve.router.LatencyEstimator;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.Quantiles;
import io.flexserve.router.SubnetProfile;
import io.flexserve.router.batch.Admission;
import io.flexserve.router.batch.ArrivalRate;
import io.flexserve.router.batch.Batch;
import io.flexserve.router.batch.BatchLimits;
import io.flexserve.router.batch.BatchPolicy;
import io.flexserve.router.batch.OverloadAllowance;
import io.flexserve.router.batch.OverloadHold;
import io.flexserve.router.batch.Pending;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Replays a trace against one model's scheduler as the server runs it: the same admission rules,
 * queue order, batch policy and online latency estimator, with service times from the measured
 * profiles.
 *
 * <p>Event loop: time jumps to the next arrival or the next end of a run, whichever is first; after
 * every event each idle worker takes the policy's next batch. Client latency = server time + {@code
 * overheadMillis} (HTTP, JSON and tokenization, measured by {@code flexserve bench overhead});
 * server deadlines are {@code arrival + target − responseMargin}, as in the server. Service time is
 * the profile's prediction times {@code runScale} (the server's typical correction) times a
 * log-normal factor {@code exp(σ·N(0,1))} (σ = {@code noiseSigma}; 0 for none), seeded, so runs are
 * reproducible, plus {@code perRequestMillis} for each request of the run: on a server whose event
 * loop shares the worker's core, the HTTP, JSON and tokenizing of every request take that core from
 * inference.
 */
public final class Simulator {
  private Simulator() {}

  /**
   * @param workers inference runs in flight
   * @param capacity queued requests before {@code queue_full}
   * @param overheadMillis client-visible time outside the scheduler, added to every served request
   * @param responseMarginMillis reserved out of each target for writing the response, as the server
   *     does
   * @param noiseSigma σ of the log-normal service-time noise
   * @param runScale typical run time over the profile's prediction (1: as profiled)
   * @param perRequestMillis worker time per request besides its run, charged to the run that serves
   *     it and fed to the estimator as the server measures it (0: the event loop has a core of its
   *     own)
   * @param overloadHoldMillis how long a refusal for load makes admission count the whole queue's
   *     spread, as the server's {@code flexserve.overload-hold-ms} ({@link OverloadHold}; 0: never)
   */
  public record Config(
      int workers,
      int capacity,
      BatchLimits limits,
      double overheadMillis,
      double responseMarginMillis,
      double noiseSigma,
      double runScale,
      double perRequestMillis,
      double overloadHoldMillis,
      long seed) {
    public Config {
      if (workers < 1
          || capacity < 1
          || overheadMillis < 0
          || responseMarginMillis < 0
          || noiseSigma < 0
          || !(runScale > 0)
          || perRequestMillis < 0
          || !(overloadHoldMillis >= 0)) {
        throw new IllegalArgumentException(
            "bad simulator config: " + workers + " workers, capacity " + capacity);
      }
    }

    /**
     * Runs as profiled, no per-request CPU on the worker's core, and admission that counts the
     * candidate's own run only.
     */
    public Config(
        int workers,
        int capacity,
        BatchLimits limits,
        double overheadMillis,
        double responseMarginMillis,
        double noiseSigma,
        long seed) {
      this(
          workers,
          capacity,
          limits,
          overheadMillis,
          responseMarginMillis,
          noiseSigma,
          1,
          0,
          0,
          seed);
    }
  }

  /**
   * @param underOverload admitted with a target while overloaded ({@link Admission.Spread#QUEUE}):
   *     its finish feeds the {@link OverloadAllowance}
   */
  private record Queued(Pending pending, Arrival arrival, boolean underOverload) {}

  /**
   * @param typicalMillis the run's typical predicted time, which admission counts on (as the
   *     server's scheduler)
   */
  private record Run(
      Batch batch, List<Queued> requests, double start, double end, double typicalMillis) {}

  public static SimReport run(
      List<Arrival> trace, ModelMenu menu, BatchPolicy policy, Config config) {
    SplittableRandom random = new SplittableRandom(config.seed());
    LatencyEstimator estimator = LatencyEstimator.standard();
    ArrivalRate rate = ArrivalRate.standard();
    OverloadHold overload = new OverloadHold(config.overloadHoldMillis());
    OverloadAllowance allowance = new OverloadAllowance();
    List<Queued> queue = new ArrayList<>();
    Run[] running = new Run[config.workers()];
    Map<String, Integer> rejected = new TreeMap<>();
    Map<String, Integer> share = new TreeMap<>();
    List<Double> latencies = new ArrayList<>();
    double qualitySum = 0;
    int met = 0;
    int runs = 0;
    int batchedRequests = 0;
    int next = 0;
    long ids = 0;

    while (next < trace.size() || !queue.isEmpty() || anyRunning(running)) {
      double arrivalAt =
          next < trace.size() ? trace.get(next).atMillis() : Double.POSITIVE_INFINITY;
      int finishing = earliest(running);
      double endAt = finishing < 0 ? Double.POSITIVE_INFINITY : running[finishing].end();
      double now;
      if (arrivalAt <= endAt) {
        now = arrivalAt;
        Arrival a = trace.get(next++);
        rate.arrived(now);
        OptionalDouble deadline =
            a.targetMillis().isPresent()
                ? OptionalDouble.of(
                    now
                        + Math.max(
                            0, a.targetMillis().getAsDouble() - config.responseMarginMillis()))
                : OptionalDouble.empty();
        Pending p =
            new Pending(ids++, a.inputs(), a.sequence(), now, deadline, java.util.Optional.empty());
        List<Pending> pendings = pendings(queue);
        if (queue.size() >= config.capacity()) {
          rejected.merge("queue_full", 1, Integer::sum);
          overload.refused(now);
        } else {
          Admission.Spread spread = overload.spread(now);
          Admission.Verdict verdict =
              Admission.decide(
                  p,
                  a.policy(),
                  pendings,
                  freeAt(running, now),
                  now,
                  menu,
                  estimator,
                  config.limits(),
                  spread,
                  allowance.millis(now));
          if (verdict instanceof Admission.Reject r) {
            rejected.merge(r.reason().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
            if (r.reason() == Admission.Reason.OVERLOADED) {
              overload.refused(now);
            }
          } else {
            int at = Collections.binarySearch(pendings, p, Pending::byDeadline);
            boolean underOverload = deadline.isPresent() && spread == Admission.Spread.QUEUE;
            queue.add(at < 0 ? -at - 1 : at, new Queued(p, a, underOverload));
          }
        }
      } else {
        now = endAt;
        Run done = running[finishing];
        running[finishing] = null;
        double perRequest = config.perRequestMillis() * done.requests().size();
        // the server measures a run without its requests' own work, and that work as the gap before
        // its next run
        estimator.observe(
            done.batch().subnet(),
            done.batch().paddedTokens(),
            done.end() - done.start() - perRequest);
        if (perRequest > 0) {
          estimator.observeGap(perRequest, done.requests().size());
        }
        for (Queued q : done.requests()) {
          if (q.underOverload()) {
            allowance.finished(now, done.end() - q.pending().deadlineMillis().getAsDouble());
          }
          double latency = done.end() - q.arrival().atMillis() + config.overheadMillis();
          latencies.add(latency);
          qualitySum += done.batch().subnet().quality();
          share.merge(done.batch().subnet().name(), 1, Integer::sum);
          if (q.arrival().targetMillis().isEmpty()
              || latency <= q.arrival().targetMillis().getAsDouble()) {
            met++;
          }
        }
      }
      // Every idle worker takes the next batch.
      for (int w = 0; w < running.length && !queue.isEmpty(); w++) {
        if (running[w] != null) {
          continue;
        }
        Batch batch =
            policy.next(
                pendings(queue), now, rate.perMillisecond(now), menu, estimator, config.limits());
        List<Queued> taken = take(queue, batch);
        double service =
            config.runScale()
                    * serviceMillis(
                        batch.subnet(), batch.paddedTokens(), config.noiseSigma(), random)
                + config.perRequestMillis() * taken.size();
        running[w] =
            new Run(
                batch,
                taken,
                now,
                now + service,
                estimator.typical().runMillis(batch.subnet(), batch.paddedTokens(), taken.size()));
        runs++;
        batchedRequests += taken.size();
      }
    }
    double seconds =
        trace.isEmpty() ? 1 : Math.max(trace.get(trace.size() - 1).atMillis(), 1) / 1000;
    double[] lat = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    int served = lat.length;
    return new SimReport(
        policy.name(),
        trace.size(),
        served,
        rejected,
        met,
        trace.isEmpty() ? 1 : (double) met / trace.size(),
        met / seconds,
        served == 0 ? 0 : qualitySum / served,
        served == 0 ? 0 : Quantiles.quantile(lat, 0.5),
        served == 0 ? 0 : Quantiles.quantile(lat, 0.99),
        share,
        runs == 0 ? 0 : (double) batchedRequests / runs);
  }

  private static double serviceMillis(
      SubnetProfile subnet, int tokens, double sigma, SplittableRandom random) {
    double base = subnet.predictMillis(tokens);
    if (sigma == 0) {
      return base;
    }
    // Box–Muller standard normal from two uniforms
    double n =
        Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
            * Math.cos(2 * Math.PI * random.nextDouble());
    return base * Math.exp(sigma * n);
  }

  private static List<Pending> pendings(List<Queued> queue) {
    List<Pending> out = new ArrayList<>(queue.size());
    for (Queued q : queue) {
      out.add(q.pending());
    }
    return out;
  }

  private static List<Queued> take(List<Queued> queue, Batch batch) {
    Map<Long, Boolean> ids = new HashMap<>();
    for (Pending p : batch.requests()) {
      ids.put(p.id(), true);
    }
    List<Queued> taken = new ArrayList<>();
    for (var it = queue.iterator(); it.hasNext(); ) {
      Queued q = it.next();
      if (ids.containsKey(q.pending().id())) {
        taken.add(q);
        it.remove();
      }
    }
    return taken;
  }

  /**
   * When each worker is predicted to be free: as the server, from predictions, not from the
   * simulated truth.
   */
  private static double[] freeAt(Run[] running, double now) {
    double[] out = new double[running.length];
    for (int w = 0; w < running.length; w++) {
      out[w] =
          running[w] == null ? now : Math.max(now, running[w].start() + running[w].typicalMillis());
    }
    return out;
  }

  private static boolean anyRunning(Run[] running) {
    return earliest(running) >= 0;
  }

  private static int earliest(Run[] running) {
    int best = -1;
    for (int w = 0; w < running.length; w++) {
      if (running[w] != null && (best < 0 || running[w].end() < running[best].end())) {
        best = w;
      }
    }
    return best;
  }
}
