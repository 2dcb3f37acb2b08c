package io.flexserve.router.batch;

import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.LatencyPredictor;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a new request may join the queue, decided at once so a client that cannot be served in
 * time hears so within milliseconds instead of after waiting.
 *
 * <ul>
 *   <li>A forced sub-network that does not exist: rejected ({@link Reason#UNKNOWN_SUBNET}).
 *   <li>No target: admitted (the queue bound, checked by the caller, still applies).
 *   <li>A target that even the fastest sub-network cannot meet starting this instant: {@code
 *       strict} rejects ({@link Reason#UNSATISFIABLE_TARGET}); {@code best-effort} admits it to run
 *       late on the fastest, but only while the work ahead of it is within its target (or its own
 *       run, when that is longer): a late request must not join a long queue either.
 *   <li>A target that only the queue in front makes unreachable: rejected for either policy ({@link
 *       Reason#OVERLOADED}) with a retry hint of how late it would be. "Unreachable" means late
 *       even if everything ahead drained at full speed in typical time and only its own run were
 *       slow ({@link Drain}); serving it would be late anyway and would make the requests behind it
 *       late too. This is what keeps admitted requests on time under overload.
 * </ul>
 *
 * <p>How slow the work ahead may run is the {@link Spread}: the candidate's own run only, or, while
 * the server is refusing requests ({@link OverloadHold}), every run ahead of it too, plus what the
 * requests admitted under overload have been finishing late by ({@link OverloadAllowance}).
 */
public final class Admission {
  private Admission() {}

  public enum Reason {
    UNKNOWN_SUBNET,
    UNSATISFIABLE_TARGET,
    OVERLOADED
  }

  /**
   * How much slower than typical the work up to a request may run, on top of the typical drain.
   *
   * <ul>
   *   <li>{@link #OWN_RUN}: the candidate's own run may be slow; the runs ahead take their typical
   *       time. Admits a request that will probably be on time: right when a refusal is the only
   *       miss the server could avoid.
   *   <li>{@link #QUEUE}: each run ahead may be slow too. Runs overrun their typical time
   *       independently (measured on the server: the p99 of k consecutive runs' summed excess is
   *       about √k times one run's), so the allowance is the own run's times √(runs ahead + 1),
   *       plus the {@link OverloadAllowance} fed back from how late admitted requests finished.
   *       Admits only what is on time about 99 times in 100 even behind a deep queue: right under
   *       overload, when requests are refused anyway and the admitted ones must keep their targets.
   * </ul>
   */
  public enum Spread {
    OWN_RUN,
    QUEUE
  }

  /** The verdict: {@link Admit} or {@link Reject}. */
  public sealed interface Verdict permits Admit, Reject {}

  /**
   * @param expectedLate true when admitted although the target is known to be unreachable (best
   *     effort)
   */
  public record Admit(boolean expectedLate) implements Verdict {}

  /**
   * @param retryAfterMillis when retrying could help, ≥ 1
   */
  public record Reject(Reason reason, String message, double retryAfterMillis) implements Verdict {}

  /**
   * @param candidate the new request; its deadline minus its admission time is its target
   * @param queue requests already waiting, in deadline order
   * @param workerFreeAt when each worker becomes free (now for idle ones), on the deadlines' clock
   * @param now the current time on that clock
   * @param spread how slow the work ahead of the candidate may run
   * @param overloadAllowanceMillis {@link OverloadAllowance#millis(double)}: with {@link
   *     Spread#QUEUE}, how much earlier than its deadline the candidate must be forecast to finish
   *     besides the runs' tails
   */
  public static Verdict decide(
      Pending candidate,
      DeadlinePolicy policy,
      List<Pending> queue,
      double[] workerFreeAt,
      double now,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits,
      Spread spread,
      double overloadAllowanceMillis) {
    SubnetProfile forced = null;
    if (candidate.forcedSubnet().isPresent()) {
      forced = menu.find(candidate.forcedSubnet().get()).orElse(null);
      if (forced == null) {
        return new Reject(
            Reason.UNKNOWN_SUBNET,
            "unknown sub-network '"
                + candidate.forcedSubnet().get()
                + "'; valid: "
                + String.join(", ", menu.names()),
            1);
      }
    }
    if (candidate.deadlineMillis().isEmpty()) {
      return new Admit(false);
    }
    int tokens = candidate.paddedTokens();
    SubnetProfile subnet = forced != null ? forced : Plans.fastest(menu, latency, tokens);
    double own = latency.runMillis(subnet, tokens, 1);
    double deadline = candidate.deadlineMillis().getAsDouble();
    double target = deadline - candidate.admittedAtMillis();
    // Late even if it started this instant: that is its own size, not the queue's doing.
    boolean lateAnyway = now + own > deadline;
    if (lateAnyway && policy == DeadlinePolicy.STRICT) {
      return new Reject(
          Reason.UNSATISFIABLE_TARGET,
          String.format(
              Locale.ROOT,
              "latency target %s ms cannot be met even starting now: '%s' needs %.1f ms for %d tokens",
              millis(target),
              subnet.name(),
              own,
              tokens),
          1000);
    }
    // Where would it finish if everything up to it drained at full speed?
    List<Pending> upTo = new ArrayList<>();
    for (Pending p : queue) {
      if (Pending.byDeadline(p, candidate) < 0) {
        upTo.add(p);
      }
    }
    upTo.add(candidate);
    Drain.Drained drained = Drain.drain(upTo, workerFreeAt.clone(), now, menu, latency, limits);
    int last = upTo.size() - 1;
    // The drain adds up typical runs; the candidate's own run may still be a slow one, and with
    // QUEUE so may each run ahead of it, and the queue may drain later than this model says.
    double ownTail =
        Math.max(
            0,
            latency.predictMillis(subnet, tokens)
                - latency.typical().predictMillis(subnet, tokens));
    double tail =
        spread == Spread.QUEUE
            ? ownTail * Math.sqrt(drained.runsBefore()[last] + 1) + overloadAllowanceMillis
            : ownTail;
    double finishAt = drained.finish()[last] + tail;
    // A request late even on an idle server is still served (best effort), but not behind a queue
    // longer than its target or its own run, whichever is longer: it is late by its run anyway, and
    // a worker about to be free must not turn away a request that asked for "as fast as possible".
    if (lateAnyway ? finishAt - own - now <= Math.max(target, own) : finishAt <= deadline) {
      return new Admit(lateAnyway);
    }
    double wait = Math.max(0, finishAt - own - now);
    return new Reject(
        Reason.OVERLOADED,
        String.format(
            Locale.ROOT,
            "overloaded: it would finish %.1f ms after its %s ms deadline (about %.1f ms of queued work ahead)",
            finishAt - deadline,
            millis(target),
            wait),
        Math.max(1, Math.ceil(finishAt - deadline)));
  }

  /** A target as the client wrote it: {@code 0.01}, {@code 2.5}, {@code 30} (never "0.0"). */
  private static String millis(double ms) {
    return java.math.BigDecimal.valueOf(ms)
        .round(new java.math.MathContext(3))
        .stripTrailingZeros()
        .toPlainString();
  }
}
