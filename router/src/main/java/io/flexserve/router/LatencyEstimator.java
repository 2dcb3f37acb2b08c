package io.flexserve.router;

/**
 * Load-time latency profiles corrected online by what runs actually take.
 *
 * <p>Each observed run is stored as the ratio {@code observed / profile(paddedTokens)} of its own
 * sub-network and size, so runs of every size inform every prediction and the prediction stays
 * input-adaptive: {@code profile(subnet, tokens) × correction}. The correction is a high quantile
 * (default p99) of the last {@code window} ratios: a few outliers do not move it, a sustained
 * slow-down (contention, thermal throttling) does. The median of the same ratios gives {@link
 * #typical()}, the prediction a queue of runs adds up with.
 *
 * <p>One correction serves the whole model, pooled over its sub-networks. A slow-down hits them
 * alike, while the profiles already hold how they differ; per-sub-network windows would go stale
 * for sub-networks the policy rarely picks, and a stale one can invert the order (a busy small
 * sub-network corrected up looks slower than an idle large one that was never corrected). The first
 * {@code warmup} observations are ignored (JIT, arena growth), and fewer than {@code minSamples}
 * ratios leave the profile uncorrected. Corrections are clamped to [0.25, 8] so one bad window
 * cannot make a sub-network look free or unusable.
 *
 * <p>Not thread-safe: the owner (the server's scheduler) guards it with its lock. No clock:
 * observations arrive as data.
 */
public final class LatencyEstimator implements LatencyPredictor {
  private static final double MIN_CORRECTION = 0.25;
  private static final double MAX_CORRECTION = 8;

  private final double quantile;
  private final int minSamples;
  private final int warmup;
  private final Ratios ratios;
  private final LatencyPredictor typical =
      new LatencyPredictor() {
        @Override
        public double predictMillis(SubnetProfile subnet, int paddedTokens) {
          return subnet.predictMillis(paddedTokens) * typicalCorrection;
        }

        @Override
        public double perRequestMillis() {
          return perRequestMillis;
        }
      };
  // Both corrections are read on every prediction (many per admission), so they are computed once
  // per observation instead of sorting the window each time.
  private double correction = 1;
  private double typicalCorrection = 1;
  private double perRequestMillis;
  private boolean gapSeen;

  /**
   * @param window ratios kept per sub-network
   * @param quantile quantile of the kept ratios used as the correction, in (0, 1]
   * @param minSamples ratios needed before correcting
   * @param warmup observations ignored at the start of each sub-network
   */
  public LatencyEstimator(int window, double quantile, int minSamples, int warmup) {
    if (window < 1
        || !(quantile > 0 && quantile <= 1)
        || minSamples < 1
        || minSamples > window
        || warmup < 0) {
      throw new IllegalArgumentException(
          "bad estimator settings: window="
              + window
              + " quantile="
              + quantile
              + " minSamples="
              + minSamples
              + " warmup="
              + warmup);
    }
    this.quantile = quantile;
    this.minSamples = minSamples;
    this.warmup = warmup;
    this.ratios = new Ratios(window);
  }

  /** The quantile of {@link #standard()}: the share of deadlines a 99 % latency objective keeps. */
  public static final double STANDARD_QUANTILE = 0.99;

  /**
   * The defaults the server and simulator use: p99 of the last 512 runs, after 16, ignoring the
   * first 3. A high quantile because SlackFit plans runs that end right at a deadline: with a p90
   * prediction about one such run in ten would overrun, with p99 one in a hundred: what a 99 %
   * objective can afford (at p98, runs overrunning their plan were half of the misses measured in
   * BENCHMARKS.md). 512 runs, a few seconds under load, put p99 at the sixth slowest run.
   */
  public static LatencyEstimator standard() {
    return new LatencyEstimator(512, STANDARD_QUANTILE, 16, 3);
  }

  /** Records one run of {@code subnet} on {@code paddedTokens} that took {@code millis}. */
  public void observe(SubnetProfile subnet, int paddedTokens, double millis) {
    if (!(millis >= 0) || Double.isInfinite(millis) || paddedTokens <= 0) {
      throw new IllegalArgumentException(
          "bad observation: " + millis + " ms for " + paddedTokens + " tokens");
    }
    double profile = subnet.predictMillis(paddedTokens);
    if (profile <= 0) {
      return;
    }
    if (ratios.add(millis / profile, warmup) && ratios.window.size() >= minSamples) {
      correction = clamp(ratios.window.quantile(quantile));
      typicalCorrection = Math.min(correction, clamp(ratios.window.quantile(0.5)));
    }
  }

  /**
   * Records that the worker, with requests waiting, started its next run {@code gapMillis} after
   * its previous run of {@code requests} requests ended: the time that run's responses and the
   * arrivals meanwhile took on the worker's core. Kept as a moving average per request (weight 0.05
   * for the newest), the {@link #perRequestMillis()} every prediction of a batch adds.
   */
  public void observeGap(double gapMillis, int requests) {
    if (!(gapMillis >= 0) || Double.isInfinite(gapMillis) || requests < 1) {
      throw new IllegalArgumentException(
          "bad gap: " + gapMillis + " ms after " + requests + " requests");
    }
    double perRequest = gapMillis / requests;
    perRequestMillis = gapSeen ? 0.95 * perRequestMillis + 0.05 * perRequest : perRequest;
    gapSeen = true;
  }

  @Override
  public double perRequestMillis() {
    return perRequestMillis;
  }

  private static double clamp(double ratio) {
    return Math.max(MIN_CORRECTION, Math.min(MAX_CORRECTION, ratio));
  }

  /** The current multiplier applied to every profile; 1 until enough runs were seen. */
  public double correction() {
    return correction;
  }

  /** The median of the same ratios (never above {@link #correction()}); 1 until enough runs. */
  public double typicalCorrection() {
    return typicalCorrection;
  }

  @Override
  public LatencyPredictor typical() {
    return typical;
  }

  @Override
  public double predictMillis(SubnetProfile subnet, int paddedTokens) {
    return subnet.predictMillis(paddedTokens) * correction;
  }

  /** The last ratios, after the first {@code warmup} ignored ones. */
  private static final class Ratios {
    private final SortedWindow window;
    private int seen;

    Ratios(int window) {
      this.window = new SortedWindow(window);
    }

    /** Returns false while the ratio is still ignored as warm-up. */
    boolean add(double ratio, int warmup) {
      if (seen++ < warmup) {
        return false;
      }
      window.add(ratio);
      return true;
    }
  }
}
