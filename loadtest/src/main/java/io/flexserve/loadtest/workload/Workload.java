package io.flexserve.loadtest.workload;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a run sends and when: every request's offset, inputs and latency target, computed before the
 * run starts from either an arrival process or a recorded trace. Equal inputs give equal plans.
 */
public sealed interface Workload permits Workload.Generated, Workload.Replayed {

  /**
   * The run's requests in schedule order (ascending offsets), indexed from 0; empty if the bounds
   * admit none.
   */
  List<PlannedRequest> plan();

  /** The workload as labelled strings, in a stable order, for reports. */
  Map<String, String> describe();

  /**
   * Requests from an arrival process: request {@code i} carries {@code payloads.inputsFor(i)} and
   * the i-th draw of {@code targets}.
   *
   * @param arrival when requests arrive
   * @param bounds how many requests, or for how long
   * @param seed seed of the arrival offsets and of the target draws (separate streams)
   * @param payloads the texts
   * @param targets the latency targets
   */
  record Generated(
      ArrivalProcess arrival,
      ScheduleBounds bounds,
      long seed,
      Payloads payloads,
      TargetDistribution targets,
      EndpointMix mix,
      GenerationSettings generation)
      implements Workload {
    /** Embeddings only. */
    public Generated(
        ArrivalProcess arrival,
        ScheduleBounds bounds,
        long seed,
        Payloads payloads,
        TargetDistribution targets) {
      this(
          arrival,
          bounds,
          seed,
          payloads,
          targets,
          EndpointMix.only(EndpointKind.EMBEDDINGS),
          GenerationSettings.defaults());
    }

    public Generated {
      Objects.requireNonNull(mix, "mix");
      Objects.requireNonNull(generation, "generation");
      Objects.requireNonNull(arrival, "arrival");
      Objects.requireNonNull(bounds, "bounds");
      Objects.requireNonNull(payloads, "payloads");
      Objects.requireNonNull(targets, "targets");
    }

    @Override
    public List<PlannedRequest> plan() {
      long[] offsets = arrival.schedule(bounds, seed);
      List<OptionalDouble> drawn = targets.draw(offsets.length, seed);
      List<EndpointKind> kinds = mix.draw(offsets.length, seed);
      GenerationDraws g = new GenerationDraws(generation, offsets.length, seed);
      List<PlannedRequest> out = new ArrayList<>(offsets.length);
      long prompts = 0;
      for (int i = 0; i < offsets.length; i++) {
        EndpointKind kind = kinds.get(i);
        if (kind.generation()) {
          out.add(
              new PlannedRequest(
                  i,
                  offsets[i],
                  List.of(generation.prompt(prompts++)),
                  drawn.get(i),
                  kind,
                  g.at(i, 0)));
        } else {
          // embeddings, or vision (whose image is chosen by index; the texts are not sent)
          out.add(
              new PlannedRequest(
                  i,
                  offsets[i],
                  payloads.inputsFor(i),
                  drawn.get(i),
                  kind,
                  PlannedRequest.Generation.NONE));
        }
      }
      return out;
    }

    @Override
    public Map<String, String> describe() {
      Map<String, String> out = new LinkedHashMap<>();
      out.put("arrival", arrival.describe());
      out.put("seed", Long.toString(seed));
      putBounds(out, bounds);
      out.put("inputs per request", Integer.toString(payloads.inputsPerRequest()));
      out.put("texts", Integer.toString(payloads.texts().size()));
      out.put("latency target", targets.describe());
      if (mix.hasGeneration() || mix.weights().size() > 1) {
        out.put("endpoints", mix.describe());
        putGeneration(out, generation);
      }
      return out;
    }
  }

  /**
   * Requests replayed from a trace, cut by {@code bounds}. An entry's own target wins; entries
   * without one take the draw of {@code targets} for their position. Inputs drawn from the pool
   * advance one round-robin cursor through the trace, so consecutive entries get consecutive texts.
   *
   * @param source where the trace came from, for reports
   * @param entries the trace, in offset order
   * @param bounds how many entries, or up to which offset
   * @param seed seed of the target draws
   * @param payloads the pool of texts for entries that give a count instead of texts
   * @param targets targets of entries that have none
   */
  record Replayed(
      String source,
      List<TraceEntry> entries,
      ScheduleBounds bounds,
      long seed,
      Payloads payloads,
      TargetDistribution targets,
      GenerationSettings generation)
      implements Workload {
    /** With the default generation settings. */
    public Replayed(
        String source,
        List<TraceEntry> entries,
        ScheduleBounds bounds,
        long seed,
        Payloads payloads,
        TargetDistribution targets) {
      this(source, entries, bounds, seed, payloads, targets, GenerationSettings.defaults());
    }

    public Replayed {
      Objects.requireNonNull(generation, "generation");
      entries = List.copyOf(entries);
      Objects.requireNonNull(bounds, "bounds");
      Objects.requireNonNull(payloads, "payloads");
      Objects.requireNonNull(targets, "targets");
      for (int i = 1; i < entries.size(); i++) {
        if (entries.get(i).offsetNanos() < entries.get(i - 1).offsetNanos()) {
          throw new IllegalArgumentException(
              "trace entries must be in offset order; entry " + i + " is not");
        }
      }
    }

    @Override
    public List<PlannedRequest> plan() {
      List<PlannedRequest> out = new ArrayList<>();
      List<OptionalDouble> drawn =
          targets.draw(Math.min(entries.size(), bounds.maxRequests()), seed);
      GenerationDraws g =
          new GenerationDraws(generation, Math.min(entries.size(), bounds.maxRequests()), seed);
      long cursor = 0;
      long prompts = 0;
      for (TraceEntry e : entries) {
        int i = out.size();
        if (i >= bounds.maxRequests() || e.offsetNanos() / 1e9 >= bounds.durationSeconds()) {
          break;
        }
        if (e.kind().generation()) {
          List<String> prompt =
              e.inputs() instanceof TraceEntry.Texts texts
                  ? texts.texts()
                  : List.of(generation.prompt(prompts++));
          out.add(
              new PlannedRequest(
                  i,
                  e.offsetNanos(),
                  prompt,
                  e.targetMillis().isPresent() ? e.targetMillis() : drawn.get(i),
                  e.kind(),
                  g.at(i, e.maxTokens())));
          continue;
        }
        List<String> inputs;
        if (e.inputs() instanceof TraceEntry.Texts texts) {
          inputs = texts.texts();
        } else {
          int n =
              e.inputs() instanceof TraceEntry.Count c ? c.count() : payloads.inputsPerRequest();
          inputs = payloads.take(cursor, n);
          cursor += n;
        }
        out.add(
            new PlannedRequest(
                i,
                e.offsetNanos(),
                inputs,
                e.targetMillis().isPresent() ? e.targetMillis() : drawn.get(i),
                e.kind(),
                PlannedRequest.Generation.NONE));
      }
      return out;
    }

    @Override
    public Map<String, String> describe() {
      Map<String, String> out = new LinkedHashMap<>();
      out.put("arrival", "trace " + source + " (" + entries.size() + " entries)");
      out.put("seed", Long.toString(seed));
      putBounds(out, bounds);
      out.put("inputs per request", "from the trace; default " + payloads.inputsPerRequest());
      out.put("texts", Integer.toString(payloads.texts().size()));
      out.put("latency target", "from the trace; otherwise " + targets.describe());
      if (entries.stream().anyMatch(e -> e.kind().generation())) {
        putGeneration(out, generation);
      }
      return out;
    }
  }

  private static void putGeneration(Map<String, String> out, GenerationSettings g) {
    out.put("prompts", Integer.toString(g.prompts().size()));
    out.put("max tokens", Integer.toString(g.maxTokens()));
    out.put("TTFT target", g.ttftTargets().describe());
    out.put("TPOT target", g.tpotTargets().describe());
  }

  /** The per-request TTFT and TPOT target draws of a run (separate seeded streams). */
  final class GenerationDraws {
    private final GenerationSettings settings;
    private final List<OptionalDouble> ttft;
    private final List<OptionalDouble> tpot;

    GenerationDraws(GenerationSettings settings, int n, long seed) {
      this.settings = settings;
      this.ttft = settings.ttftTargets().draw(n, seed ^ 0x74746674L);
      this.tpot = settings.tpotTargets().draw(n, seed ^ 0x74706f74L);
    }

    PlannedRequest.Generation at(int i, int maxTokens) {
      return new PlannedRequest.Generation(
          maxTokens > 0 ? maxTokens : settings.maxTokens(), ttft.get(i), tpot.get(i));
    }
  }

  private static void putBounds(Map<String, String> out, ScheduleBounds bounds) {
    out.put("max requests", Integer.toString(bounds.maxRequests()));
    out.put(
        "max duration",
        Double.isInfinite(bounds.durationSeconds()) ? "none" : bounds.durationSeconds() + " s");
  }
}
