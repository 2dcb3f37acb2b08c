package io.flexserve.loadtest.report;

/**
 * What the load generator itself cost while it sent a run: CPU time per request, so a reader can
 * tell whether the generator took CPU from the server it measured (issue 19 asks for at most 50 µs
 * per request).
 *
 * @param requests requests handed to the HTTP client in the measured interval
 * @param connections connections the client opened in the interval (keep-alive reuse keeps this
 *     near the most requests in flight at once); 0 when unknown
 * @param wallSeconds the measured interval: from the first planned send until every answer arrived
 *     (or failed), seconds
 * @param processCpuSeconds CPU time of the whole load-tester process in the interval (every thread:
 *     scheduler, event loop, JIT compiler, garbage collector), seconds; NaN when the JVM does not
 *     report it
 * @param senderCpuSeconds CPU time of the thread that sends and receives (the HTTP event loop; with
 *     the native sender, its one thread), seconds; NaN when the JVM does not measure thread CPU
 * @param sender {@code netty} (the in-process Java sender) or {@code native} (a C subprocess), for
 *     which {@code processCpuSeconds} is the subprocess's own CPU (getrusage) and the Java parent's
 *     is in {@link NativeStats#parentCpuSeconds}
 * @param nativeStats the native sender's own counts; {@link NativeStats#NONE} for netty
 */
public record GeneratorCost(
    long requests,
    long connections,
    double wallSeconds,
    double processCpuSeconds,
    double senderCpuSeconds,
    String sender,
    NativeStats nativeStats) {
  /** The cost of a run that was not measured (a report written before it was). */
  public static final GeneratorCost UNKNOWN = new GeneratorCost(0, 0, 0, Double.NaN, Double.NaN);

  public GeneratorCost {
    if (requests < 0 || connections < 0 || wallSeconds < 0) {
      throw new IllegalArgumentException(
          "need requests >= 0 and wallSeconds >= 0, got " + requests + ", " + wallSeconds);
    }
    java.util.Objects.requireNonNull(sender, "sender");
    java.util.Objects.requireNonNull(nativeStats, "nativeStats");
  }

  /** The cost of a run sent by the in-process Netty sender. */
  public GeneratorCost(
      long requests,
      long connections,
      double wallSeconds,
      double processCpuSeconds,
      double senderCpuSeconds) {
    this(
        requests,
        connections,
        wallSeconds,
        processCpuSeconds,
        senderCpuSeconds,
        "netty",
        NativeStats.NONE);
  }

  /** Sleeps ended per request (native sender only); NaN when unknown. */
  public double wakesPerRequest() {
    return requests == 0 || !nativeStats.known()
        ? Double.NaN
        : (double) nativeStats.wakes() / requests;
  }

  /** The Java parent's CPU per request while the native sender ran; NaN when unknown. */
  public double parentMicrosPerRequest() {
    return requests == 0 ? Double.NaN : nativeStats.parentCpuSeconds() * 1e6 / requests;
  }

  /** Whether anything was measured. */
  public boolean known() {
    return requests > 0 && !Double.isNaN(processCpuSeconds);
  }

  /** Process CPU per request, microseconds; NaN when unknown. */
  public double processMicrosPerRequest() {
    return requests == 0 ? Double.NaN : processCpuSeconds * 1e6 / requests;
  }

  /** Scheduler and event-loop CPU per request, microseconds; NaN when unknown. */
  public double senderMicrosPerRequest() {
    return requests == 0 ? Double.NaN : senderCpuSeconds * 1e6 / requests;
  }

  /** Process CPU as a share of one core over the interval; NaN when unknown. */
  public double processCores() {
    return wallSeconds == 0 ? Double.NaN : processCpuSeconds / wallSeconds;
  }
}
