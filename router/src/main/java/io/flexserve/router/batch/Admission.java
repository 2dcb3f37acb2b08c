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
 */
public final class Admission {
  private Admission() {}

  public enum Reason {
    UNKNOWN_SUBNET,
    UNSATISFIABLE_TARGET,
    OVERLOADED
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
   */
  public static Verdict decide(
      Pending candidate,
      DeadlinePolicy policy,
      List<Pending> queue,
      double[] workerFreeAt,
      double now,
      ModelMenu menu,
      LatencyPredictor latency,
      BatchLimits limits) {
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
    double[] finish = Drain.finishTimes(upTo, workerFreeAt.clone(), menu, latency, limits);
    // The drain adds up typical runs; the candidate's own run may still be a slow one.
    double tail =
        Math.max(
            0,
            latency.predictMillis(subnet, tokens)
                - latency.typical().predictMillis(subnet, tokens));
    double finishAt = finish[finish.length - 1] + tail;
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
