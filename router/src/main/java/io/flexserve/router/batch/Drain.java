package io.flexserve.router.batch;

import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import java.util.List;

/**
 * The optimistic drain that admission and the SlackFit look-ahead share: queued requests, in
 * deadline order, run on the fastest sub-network, each run as large as the limits allow while its
 * first (most urgent) request still finishes in time, each run on the worker that frees up first.
 * No policy can drain the queue faster while keeping its deadlines, so a request late under this
 * drain is late, and one on time here is possible. Runs are predicted {@link
 * LatencyPredictor#typical() typical}: a queue adds up typical runs, and a caller that needs one
 * run to be safe adds that run's tail itself.
 */
final class Drain {
  private Drain() {}

  /**
   * @param requests in deadline order
   * @param workerFreeAt when each worker becomes free (absolute, same clock as deadlines); modified
   * @return each request's finish time, in the order of {@code requests}
   */
  static double[] finishTimes(
      List<Pending> requests,
      double[] workerFreeAt,
      ModelMenu menu,
      LatencyPredictor predictor,
      BatchLimits limits) {
    return drain(requests, workerFreeAt, Double.POSITIVE_INFINITY, menu, predictor, limits)
        .finish();
  }

  /**
   * Each request's finish time, and how many runs its worker does before the run that serves it.
   *
   * @param finish finish times, in the order of the requests
   * @param runsBefore for each request, the runs its worker does before the one that serves it: the
   *     worker's unfinished run (when it is busy) and the drained runs ahead
   */
  record Drained(double[] finish, int[] runsBefore) {}

  /**
   * @param requests in deadline order
   * @param workerFreeAt when each worker becomes free (absolute, same clock as deadlines); modified
   * @param now a worker free later than this is busy with a run: it counts in {@code runsBefore}
   */
  static Drained drain(
      List<Pending> requests,
      double[] workerFreeAt,
      double now,
      ModelMenu menu,
      LatencyPredictor predictor,
      BatchLimits limits) {
    LatencyPredictor latency = predictor.typical();
    double[] finish = new double[requests.size()];
    int[] runsBefore = new int[requests.size()];
    int[] runs = new int[workerFreeAt.length];
    for (int w = 0; w < runs.length; w++) {
      runs[w] = workerFreeAt[w] > now ? 1 : 0;
    }
    int from = 0;
    while (from < requests.size()) {
      int w = 0;
      for (int i = 1; i < workerFreeAt.length; i++) {
        if (workerFreeAt[i] < workerFreeAt[w]) {
          w = i;
        }
      }
      double start = workerFreeAt[w];
      double deadline = requests.get(from).deadlineMillis().orElse(Double.POSITIVE_INFINITY);
      int n =
          Plans.longestPrefix(
                  requests.subList(from, requests.size()),
                  limits,
                  run -> start + Plans.fastestMillis(run, menu, latency) <= deadline)
              .size();
      double end = start + Plans.fastestMillis(requests.subList(from, from + n), menu, latency);
      for (int i = from; i < from + n; i++) {
        finish[i] = end;
        runsBefore[i] = runs[w];
      }
      workerFreeAt[w] = end;
      runs[w]++;
      from += n;
    }
    return new Drained(finish, runsBefore);
  }
}
