package io.flexserve.server.generation;

import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.router.DeadlinePolicy;
import io.flexserve.router.generation.DecoderProfile;
import io.flexserve.router.generation.GenerationRouter;
import io.flexserve.router.generation.StepTimeCorrection;
import io.flexserve.server.metrics.ServerMetrics;
import io.flexserve.server.serving.ServingException;
import java.util.List;
import java.util.OptionalInt;

/**
 * Where a generation starts: the sub-network named by {@code X-Subnet} (at {@code X-EoRA-Rank}), or
 * the {@link GenerationRouter}'s choice over the menu at that rank, with the load-time profiles
 * scaled by what finished generations really took per token ({@link StepTimeCorrection}). Called on
 * request threads at admission and on the scheduler thread when a generation finishes; the
 * correction is guarded by itself.
 */
final class SubnetChooser {
  /**
   * A generation's starting sub-network and what the router predicts for it there.
   *
   * @param predictedMs whole generation
   * @param predictedTpotMs per output token after the first
   */
  record Start(String subnet, double predictedMs, double predictedTpotMs) {}

  private final String model;
  private final DecoderManifest manifest;
  private final List<DecoderProfile> menu;
  private final ServerMetrics metrics;
  private final StepTimeCorrection correction = new StepTimeCorrection();

  SubnetChooser(
      String model, DecoderManifest manifest, List<DecoderProfile> menu, ServerMetrics metrics) {
    this.model = model;
    this.manifest = manifest;
    this.menu = List.copyOf(menu);
    this.metrics = metrics;
  }

  /**
   * Chooses where {@code request} starts, given what is running.
   *
   * @throws ServingException.Overloaded when a strict request's targets cannot be met
   * @throws ServingException.InvalidChoice when {@code X-Subnet} names no sub-network of this
   *     model, or conflicts with {@code X-EoRA-Rank}
   */
  Start choose(GenerationRequest request, GenerationRouter.Load load) {
    if (request.forcedSubnet().isPresent()) {
      String subnet = atRank(request.forcedSubnet().get(), request.eoraRank());
      DecoderProfile p =
          menu.stream().filter(x -> x.name().equals(subnet)).findFirst().orElse(null);
      if (p == null) {
        throw new ServingException.InvalidChoice(
            "unknown_subnet",
            "X-Subnet '"
                + subnet
                + "' is not a sub-network of "
                + model
                + "; choose one of "
                + menu.stream().map(DecoderProfile::name).toList());
      }
      GenerationRouter.Choice c = route(List.of(p), request, load);
      return new Start(subnet, c.totalMs(), c.tpotMs());
    }
    GenerationRouter.Choice c = route(menuAt(request.eoraRank()), request, load);
    if (!c.meets() && request.targets().any() && request.policy() == DeadlinePolicy.STRICT) {
      metrics.rejections.labels(model, "deadline_unsatisfiable").inc();
      throw new ServingException.Overloaded(
          "deadline_unsatisfiable",
          String.format(
              "no sub-network of %s meets the targets now: fastest predicts first token %.1f ms, %.1f ms/token, %.1f ms in all",
              model, c.ttftMs(), c.tpotMs(), c.totalMs()),
          1);
    }
    return new Start(c.profile().name(), c.totalMs(), c.tpotMs());
  }

  private GenerationRouter.Choice route(
      List<DecoderProfile> profiles, GenerationRequest request, GenerationRouter.Load load) {
    List<DecoderProfile> corrected;
    synchronized (correction) {
      corrected = correction.apply(profiles);
    }
    return GenerationRouter.choose(
        corrected, request.prompt().length, request.maxTokens(), request.targets(), load);
  }

  /** Feeds a finished generation's mean time per token back into the profiles' correction. */
  void observe(double predictedTpotMs, double observedTpotMs) {
    synchronized (correction) {
      correction.observe(predictedTpotMs, observedTpotMs);
    }
  }

  /** The load-time profile of {@code subnet}, a menu entry. */
  DecoderProfile profile(String subnet) {
    return menu.stream().filter(x -> x.name().equals(subnet)).findFirst().orElseThrow();
  }

  /** Whether {@code subnet} runs EoRA compensation at {@code rank}. */
  boolean atRank(String subnet, int rank) {
    return manifest.eoraRankOf(subnet) == rank;
  }

  /**
   * The menu a request routes over: every entry, or with {@code X-EoRA-Rank} only those at that
   * compensation rank (the rank is then fixed and the router chooses the sub-network).
   */
  private List<DecoderProfile> menuAt(OptionalInt rank) {
    if (rank.isEmpty()) {
      return menu;
    }
    List<DecoderProfile> at = menu.stream().filter(p -> atRank(p.name(), rank.getAsInt())).toList();
    return at.isEmpty() ? menu : at;
  }

  /**
   * {@code X-Subnet} at {@code X-EoRA-Rank}: the entry of the same layers at that rank, in the same
   * precision when it has one (a float32 entry asked for a rank gets the compensated compressed
   * entry); the name as given otherwise. An entry that already names a different rank ({@code
   * full.int4.r16} with rank 8) is a 422: the headers conflict.
   */
  private String atRank(String forced, OptionalInt rank) {
    if (rank.isEmpty()) {
      return forced;
    }
    List<DecoderManifest.Subnet> all = manifest.subnets();
    DecoderManifest.Subnet asked =
        all.stream().filter(s -> s.name().equals(forced)).findFirst().orElse(null);
    if (asked == null) {
      return forced;
    }
    if (asked.eoraRank() > 0 && asked.eoraRank() != rank.getAsInt()) {
      throw new ServingException.InvalidChoice(
          "conflicting_headers",
          "X-Subnet '"
              + forced
              + "' runs EoRA rank "
              + asked.eoraRank()
              + " but X-EoRA-Rank asks for "
              + rank.getAsInt()
              + "; send one of them, or the sub-network's base name ('"
              + asked.base()
              + "') with X-EoRA-Rank");
    }
    List<DecoderManifest.Subnet> atRank =
        all.stream()
            .filter(s -> s.layers().equals(asked.layers()) && s.eoraRank() == rank.getAsInt())
            .toList();
    return atRank.stream()
        .filter(s -> s.precision().equals(asked.precision()))
        .findFirst()
        .or(() -> atRank.stream().findFirst())
        .map(DecoderManifest.Subnet::name)
        .orElse(DecoderManifest.Subnet.variantName(forced, rank.getAsInt()));
  }
}
