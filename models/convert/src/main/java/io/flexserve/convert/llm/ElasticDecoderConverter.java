package io.flexserve.convert.llm;

import ai.onnxruntime.OrtException;
import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.convert.compress.MaskLlmMasks;
import io.flexserve.models.Progress;
import io.flexserve.models.importance.Importance;
import io.flexserve.models.llm.DecoderGraph;
import io.flexserve.models.llm.DecoderHead;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.DecoderTimer;
import io.flexserve.models.llm.DecoderWeights;
import io.flexserve.models.llm.LatencyTable;
import io.flexserve.models.llm.Linear;
import io.flexserve.models.llm.Precision;
import io.flexserve.models.llm.QuantizedWeights;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.DecoderTokenizer;
import io.flexserve.models.weights.BlockQuantizer;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.StagedDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a Hugging Face Llama-family checkpoint into an elastic decoder bundle (see {@link
 * DecoderManifest}).
 *
 * <pre>
 *   1. check     config and every tensor's shape, before anything is written
 *   2. rank      run a probe graph of the dense model over calibration windows → neuron, group and block importance
 *   2b compress  optionally: prune / quantize every linear layer and fit its low-rank compensation ({@link DecoderCompressor})
 *   3. permute   KV groups and MLP neurons into importance order; write weights.bin once
 *   4. time      a decode-latency table: no layers, then every layer at each (groups, width) grid point
 *                (or full timed once and split by weight bytes: {@link LatencyModel#WEIGHTS})
 *   5. choose    per latency budget, the lowest held-back perplexity among candidates that fit ({@link MenuSearch})
 *   6. measure   each chosen sub-network's decode and prefill time; write graphs and manifest
 * </pre>
 *
 * The bundle is assembled in a sibling staging directory and moved into place at the end, so a
 * failure never leaves a partial bundle where a server would load it.
 *
 * <p><b>Why one class of 770 lines.</b> It is the pipeline above, in order, over shared state (the
 * checkpoint, the staging directory, the ranks, the timing table). Each step's own algorithm lives
 * elsewhere ({@link DecoderCompressor}, {@link MenuSearch}, {@code LatencyTable}, {@code
 * DecoderGraph}, {@code Importance}); what stays here is the order, the staging and the progress.
 */
public final class ElasticDecoderConverter {
  private ElasticDecoderConverter() {}

  /**
   * How to convert.
   *
   * @param name model name as served
   * @param budgets fractions of full decode latency, descending, the first 1.0
   * @param window tokens per calibration window
   * @param rankWindows at most this many windows rank importance
   * @param heldBackWindows windows held back to score candidates
   * @param perBudget candidates scored per budget
   * @param maxSkipped at most this many layers skipped
   * @param decodeContext cached tokens behind each timed decode step
   * @param timingSteps timed steps per measurement (the median is kept)
   * @param prefillTokens prompt length of the timed prefill
   * @param mlpVariants fractions of the MLP width (0 &lt; f &lt; 1) for KV-compatible variants of
   *     {@code full}: the same kept layers and KV groups, MLP width {@code f × intermediate}
   *     rounded to a multiple of 8, named {@code full-mlp<percent>}; a generation can change
   *     between these and {@code full} from one token to the next (they share the KV-cache layout).
   *     Empty for none.
   * @param compression how to compress the linear layers and which low-rank compensation to store;
   *     null for none
   * @param latencyModel where the menu search's latency estimates come from (step 4)
   */
  public record Options(
      String name,
      List<Double> budgets,
      int window,
      int rankWindows,
      int heldBackWindows,
      int perBudget,
      int maxSkipped,
      int decodeContext,
      int timingSteps,
      int prefillTokens,
      SessionConfig sessions,
      List<Double> mlpVariants,
      CompressionPlan compression,
      LatencyModel latencyModel) {
    public static final List<Double> DEFAULT_BUDGETS = List.of(1.0, 0.85, 0.7, 0.55, 0.4);

    public Options {
      // checked here, before anything is imported or timed: the menu search is where they are used,
      // much later
      budgets = List.copyOf(budgets);
      MenuSearch.checkBudgets(budgets);
      mlpVariants = List.copyOf(mlpVariants);
      java.util.Objects.requireNonNull(latencyModel, "latencyModel");
      for (double f : mlpVariants) {
        if (!(f > 0 && f < 1)) {
          throw new IllegalArgumentException(
              "MLP variant fractions must be between 0 and 1 (exclusive), got " + f);
        }
      }
    }

    /** With the latency table measured ({@link LatencyModel#MEASURED}). */
    public Options(
        String name,
        List<Double> budgets,
        int window,
        int rankWindows,
        int heldBackWindows,
        int perBudget,
        int maxSkipped,
        int decodeContext,
        int timingSteps,
        int prefillTokens,
        SessionConfig sessions,
        List<Double> mlpVariants,
        CompressionPlan compression) {
      this(
          name,
          budgets,
          window,
          rankWindows,
          heldBackWindows,
          perBudget,
          maxSkipped,
          decodeContext,
          timingSteps,
          prefillTokens,
          sessions,
          mlpVariants,
          compression,
          LatencyModel.MEASURED);
    }

    /** Without MLP variants or compression. */
    public Options(
        String name,
        List<Double> budgets,
        int window,
        int rankWindows,
        int heldBackWindows,
        int perBudget,
        int maxSkipped,
        int decodeContext,
        int timingSteps,
        int prefillTokens,
        SessionConfig sessions) {
      this(
          name,
          budgets,
          window,
          rankWindows,
          heldBackWindows,
          perBudget,
          maxSkipped,
          decodeContext,
          timingSteps,
          prefillTokens,
          sessions,
          List.of(),
          null);
    }

    /** Without compression. */
    public Options(
        String name,
        List<Double> budgets,
        int window,
        int rankWindows,
        int heldBackWindows,
        int perBudget,
        int maxSkipped,
        int decodeContext,
        int timingSteps,
        int prefillTokens,
        SessionConfig sessions,
        List<Double> mlpVariants) {
      this(
          name,
          budgets,
          window,
          rankWindows,
          heldBackWindows,
          perBudget,
          maxSkipped,
          decodeContext,
          timingSteps,
          prefillTokens,
          sessions,
          mlpVariants,
          null);
    }

    /** These options with {@code fractions} as the MLP variants of {@code full}. */
    public Options withMlpVariants(List<Double> fractions) {
      return new Options(
          name,
          budgets,
          window,
          rankWindows,
          heldBackWindows,
          perBudget,
          maxSkipped,
          decodeContext,
          timingSteps,
          prefillTokens,
          sessions,
          fractions,
          compression,
          latencyModel);
    }

    /** These options compressing the linear layers by {@code plan} (null: none). */
    public Options withCompression(CompressionPlan plan) {
      return new Options(
          name,
          budgets,
          window,
          rankWindows,
          heldBackWindows,
          perBudget,
          maxSkipped,
          decodeContext,
          timingSteps,
          prefillTokens,
          sessions,
          mlpVariants,
          plan,
          latencyModel);
    }

    /** These options estimating the menu search's latencies by {@code model}. */
    public Options withLatencyModel(LatencyModel model) {
      return new Options(
          name,
          budgets,
          window,
          rankWindows,
          heldBackWindows,
          perBudget,
          maxSkipped,
          decodeContext,
          timingSteps,
          prefillTokens,
          sessions,
          mlpVariants,
          compression,
          model);
    }

    public static Options defaults(String name) {
      return new Options(
          name,
          DEFAULT_BUDGETS,
          128,
          64,
          8,
          6,
          Integer.MAX_VALUE,
          64,
          40,
          128,
          SessionConfig.cpu(1));
    }
  }

  /**
   * Converts the checkpoint in {@code checkpointDir} into a bundle at {@code outDir} (replacing
   * whatever is there).
   *
   * @param calibrationFile plain text, documents separated by blank lines
   */
  public static DecoderManifest convert(
      Path checkpointDir, Path calibrationFile, Path outDir, Options options, Progress progress)
      throws Exception {
    String calibrationText = Files.readString(calibrationFile);
    Path staging = null;
    try (Checkpoint ckpt = Checkpoint.open(checkpointDir)) {
      // 1. check: fails naming the tensor or field, before anything is written
      ckpt.validate();
      LlamaConfig config = ckpt.config();
      staging = StagedDirectory.create(outDir);
      Files.copy(ckpt.tokenizerJson(), staging.resolve("tokenizer.json"));
      // The chat template (and special tokens) of instruction-tuned checkpoints; the server renders
      // chat with it.
      Path tokenizerConfig = checkpointDir.resolve("tokenizer_config.json");
      if (Files.isRegularFile(tokenizerConfig)) {
        Files.copy(tokenizerConfig, staging.resolve("tokenizer_config.json"));
      }
      try (DecoderTokenizer tokenizer = DecoderTokenizer.load(staging.resolve("tokenizer.json"))) {
        CalibrationText calibration =
            CalibrationText.split(
                calibrationText,
                tokenizer,
                options.window(),
                options.rankWindows(),
                options.heldBackWindows());
        progress.update("import", 0, 1);
        DecoderWeights dense = DecoderWeights.read(ckpt);
        progress.update("import", 1, 1);

        // 2. rank (and, to compress, the linear layers' input statistics)
        CompressionPlan plan = options.compression();
        LayerActivations activations = plan == null ? null : new LayerActivations(config);
        Importance importance = rank(dense, calibration, staging, options, activations, progress);
        double[] blocks = importance.blockScores();
        int[][] groupOrder = new int[config.layers()][];
        int[][] neuronOrder = new int[config.layers()][];
        for (int l = 0; l < config.layers(); l++) {
          groupOrder[l] = Importance.descendingOrder(importance.groupScores(l, config.groupSize()));
          neuronOrder[l] = Importance.descendingOrder(importance.neuronScores(l));
        }

        // 2b. compress, fit the low-rank compensation. Pruning masks and calibration statistics are
        // in the
        //     checkpoint's order; quantization blocks are in the served order (a sub-network keeps
        // whole blocks), so
        //     the quantized weights are made there and carried back for the fit.
        Map<String, LowRankFactors> factors = Map.of();
        Map<String, BlockQuantizer.Packed> packed = Map.of();
        DecoderManifest.Compression compression = null;
        DecoderWeights served =
            dense.permute(groupOrder, neuronOrder); // what the float32 entries run
        if (plan != null) {
          progress.update("compress", 0, 1);
          DecoderWeights pruned =
              DecoderCompressor.prune(
                  dense,
                  plan,
                  activations,
                  plan.maskFile() == null ? null : MaskLlmMasks.read(plan.maskFile()));
          DecoderWeights compressed;
          if (plan.quantizes()) {
            DecoderCompressor.Served q =
                DecoderCompressor.quantizeServed(pruned.permute(groupOrder, neuronOrder), plan);
            packed = q.packed();
            compressed = q.dequantized().permute(inverse(groupOrder), inverse(neuronOrder));
          } else {
            // pruning alone has no kernel: the float32 entries run the pruned weights (a quality
            // option)
            compressed = pruned;
            served = pruned.permute(groupOrder, neuronOrder);
          }
          progress.update("compress", 1, 1);
          if (plan.rank() > 0) {
            factors =
                DecoderCompressor.permute(
                    DecoderCompressor.factors(
                        dense, compressed, activations, plan.compensation(), plan.rank(), progress),
                    config,
                    groupOrder,
                    neuronOrder);
          }
          compression = compressionRecord(plan, config, factors);
        }

        // 3. write
        WeightLayout layout =
            DecoderWeightFile.write(served, factors, packed, staging.resolve("weights.bin"));
        dense = null; // the float copies are no longer needed: let a large model's arrays go
        served = null;
        packed = null;
        MappedWeights weights = MappedWeights.map(staging.resolve("weights.bin"));
        Bundle bundle = new Bundle(staging, config, layout, weights, options.sessions());

        // 4. time
        LatencyTable table = timeTable(bundle, options, progress);

        // 5. choose
        DecoderSubnet full = DecoderSubnet.full(config);
        List<MenuSearch.Candidate> candidates =
            MenuSearch.candidates(
                config, table, blocks, Math.min(options.maxSkipped(), config.layers() - 1));
        int[] scored = {0};
        int toScore =
            Math.min(candidates.size(), 1 + (options.budgets().size() - 1) * options.perBudget());
        List<MenuSearch.Choice> menu =
            MenuSearch.choose(
                config,
                candidates,
                full,
                table,
                options.budgets(),
                options.perBudget(),
                s -> {
                  double ppl = bundle.perplexity(s, calibration.heldBack());
                  progress.update("choose", Math.min(++scored[0], toScore), toScore);
                  return ppl;
                });
        progress.update("choose", toScore, toScore);
        menu =
            withMlpVariants(
                menu,
                config,
                full,
                table,
                options.mlpVariants(),
                s -> bundle.perplexity(s, calibration.heldBack()));

        // 6. measure, write: each menu entry in float32, and in the quantized precision at each
        // served compensation
        //    rank and without (float32 at each rank when the plan only prunes); within an entry's
        // family, most
        //    accurate first (the router takes the first that meets the targets)
        List<Variant> variants = variants(plan);
        Map<String, DecoderHead> heads =
            new java.util.HashMap<>(); // one per quantized precision, as served
        List<DecoderManifest.Subnet> entries = new ArrayList<>();
        try {
          for (Variant v : variants) {
            String head = DecoderManifest.headGraph(v.precision().label());
            if (head != null && !heads.containsKey(v.precision().label())) {
              Files.write(
                  staging.resolve(head),
                  DecoderGraph.buildHead(config, layout, v.precision()).toByteArray());
              heads.put(
                  v.precision().label(),
                  DecoderHead.open(staging.resolve(head), weights, options.sessions()));
            }
          }
          for (MenuSearch.Choice c : menu) {
            List<DecoderManifest.Subnet> family = new ArrayList<>();
            for (Variant v : variants) {
              boolean known = v.rank() == 0 && !v.precision().isQuantized();
              family.add(
                  bundle.measure(
                      c,
                      v.rank(),
                      v.precision(),
                      heads.get(v.precision().label()),
                      options,
                      known ? c.perplexity() : -1,
                      calibration.heldBack()));
              progress.update(
                  "measure", entries.size() + family.size(), menu.size() * variants.size());
            }
            family.sort(Comparator.comparingDouble(DecoderManifest.Subnet::perplexity));
            entries.addAll(family);
          }
        } finally {
          for (DecoderHead h : heads.values()) {
            h.close();
          }
        }
        DecoderManifest manifest =
            new DecoderManifest(
                DecoderManifest.FORMAT,
                DecoderManifest.VERSION,
                options.name(),
                checkpointDir.toAbsolutePath().normalize().toString(),
                DecoderManifest.configJson(config),
                "weights.bin",
                "tokenizer.json",
                new DecoderManifest.Calibration(
                    calibrationFile.getFileName().toString(),
                    options.window(),
                    calibration.rank().size(),
                    calibration.heldBack().size()),
                new DecoderManifest.Latency(
                    options.decodeContext(), options.prefillTokens(), table),
                entries,
                Arrays.stream(blocks).boxed().toList(),
                compression);
        manifest.write(staging);
        StagedDirectory.publish(staging, outDir);
        return manifest;
      }
    } finally {
      if (staging != null) {
        StagedDirectory.deleteRecursively(staging);
      }
    }
  }

  /** One (precision, compensation rank) a menu entry is served at. */
  private record Variant(Precision precision, int rank) {}

  /**
   * What each menu entry is served at under {@code plan}: float32 first, then descending ranks of
   * the compressed weights.
   */
  private static List<Variant> variants(CompressionPlan plan) {
    List<Variant> out = new ArrayList<>(List.of(new Variant(Precision.FP32, 0)));
    if (plan == null) {
      return out;
    }
    Precision compressed =
        plan.quantizes()
            ? Precision.quantized(plan.quantization().bits, plan.blockSize())
            : Precision.FP32;
    List<Integer> ranks = new ArrayList<>(plan.servedRanks());
    java.util.Collections.reverse(ranks);
    if (plan.quantizes()) {
      ranks.add(0);
    }
    for (int r : ranks) {
      out.add(new Variant(compressed, r));
    }
    return out;
  }

  /** The inverse of each per-layer order: {@code inverse[l][order[l][i]] = i}. */
  static int[][] inverse(int[][] orders) {
    int[][] out = new int[orders.length][];
    for (int l = 0; l < orders.length; l++) {
      out[l] = new int[orders[l].length];
      for (int i = 0; i < orders[l].length; i++) {
        out[l][orders[l][i]] = i;
      }
    }
    return out;
  }

  /**
   * The manifest's account of {@code plan}: formats and the bytes of the linear layers before and
   * after.
   */
  private static DecoderManifest.Compression compressionRecord(
      CompressionPlan plan, LlamaConfig c, Map<String, LowRankFactors> factors) {
    long dense = 0;
    long packed = 0;
    for (Linear linear : Linear.values()) {
      dense += 4L * linear.out(c) * linear.in(c) * c.layers();
      packed += plan.packedBytes(linear.out(c), linear.in(c)) * c.layers();
    }
    long factorBytes = factors.values().stream().mapToLong(f -> f.bytes(f.rank())).sum();
    return new DecoderManifest.Compression(
        plan.describe(),
        plan.quantization().label(),
        plan.quantizes() ? plan.blockSize() : 0,
        plan.pruning().label(),
        plan.compensation().label(),
        plan.rank(),
        plan.servedRanks(),
        dense,
        packed,
        factorBytes);
  }

  /**
   * The menu plus the KV-compatible MLP variants of {@code full} ({@link Options#mlpVariants}),
   * each scored like the other entries; a variant identical to an entry already on the menu (or to
   * full) is left out. Largest first.
   */
  static List<MenuSearch.Choice> withMlpVariants(
      List<MenuSearch.Choice> menu,
      LlamaConfig config,
      DecoderSubnet full,
      LatencyTable table,
      List<Double> fractions,
      MenuSearch.Evaluator evaluator)
      throws Exception {
    if (fractions.isEmpty()) {
      return menu;
    }
    List<MenuSearch.Choice> out = new ArrayList<>(menu);
    double fullMillis = table.estimate(full);
    for (double f : fractions) {
      DecoderSubnet v = mlpVariant(config, full, f);
      boolean known =
          out.stream().anyMatch(c -> c.candidate().subnet().layers().equals(v.layers()));
      if (known) {
        continue;
      }
      double estimate = table.estimate(v);
      double budget = Math.round(estimate / fullMillis * 100) / 100.0;
      out.add(
          new MenuSearch.Choice(
              budget, new MenuSearch.Candidate(v, estimate), evaluator.perplexity(v)));
    }
    out.sort(
        Comparator.comparingLong(
                (MenuSearch.Choice c) -> c.candidate().subnet().weightFloatsPerToken(config))
            .reversed());
    return List.copyOf(out);
  }

  /**
   * {@code full} with every layer's MLP cut to {@code fraction} of its width (a multiple of 8),
   * named {@code full-mlp<percent>}.
   */
  static DecoderSubnet mlpVariant(LlamaConfig config, DecoderSubnet full, double fraction) {
    int width =
        Math.min(
            config.intermediate(),
            Math.max(8, (int) Math.round(config.intermediate() * fraction / 8.0) * 8));
    List<DecoderSubnet.Layer> layers = new ArrayList<>();
    for (DecoderSubnet.Layer l : full.layers()) {
      layers.add(new DecoderSubnet.Layer(l.index(), l.kvGroups(), Math.min(l.mlpWidth(), width)));
    }
    return new DecoderSubnet("full-mlp" + Math.round(fraction * 100), layers);
  }

  /**
   * The staging bundle while it is being built: writes sub-network graphs and opens sessions on
   * them.
   */
  private record Bundle(
      Path dir,
      LlamaConfig config,
      WeightLayout layout,
      MappedWeights weights,
      SessionConfig sessions) {
    Path writeGraph(DecoderSubnet s, String file) throws IOException {
      return writeGraph(s, 0, Precision.FP32, file);
    }

    Path writeGraph(DecoderSubnet s, int rank, Precision precision, String file)
        throws IOException {
      Path graph = dir.resolve(file);
      Files.write(
          graph, DecoderGraph.build(config, s, layout, false, rank, precision).toByteArray());
      return graph;
    }

    /**
     * Writes the graph of menu entry {@code c} in {@code precision} at compensation rank {@code
     * rank} and measures its decode and prefill time; its held-back perplexity is {@code
     * knownPerplexity} when given (≥ 0), else measured.
     *
     * @param head the open head of a quantized precision (null for float32)
     */
    DecoderManifest.Subnet measure(
        MenuSearch.Choice c,
        int rank,
        Precision precision,
        DecoderHead head,
        Options options,
        double knownPerplexity,
        List<long[]> heldBack)
        throws IOException, OrtException {
      DecoderSubnet s = c.candidate().subnet();
      String name = DecoderManifest.Subnet.variantName(s.name(), precision.label(), rank);
      Path graph = writeGraph(s, rank, precision, name + ".onnx");
      DecoderSubnet named = new DecoderSubnet(name, s.layers());
      try (DecoderSession session =
          DecoderSession.open(graph, weights, sessions, config, named, head)) {
        double decode =
            DecoderTimer.decodeMillis(session, options.decodeContext(), options.timingSteps());
        double prefill =
            DecoderTimer.prefillMillis(
                session, Math.min(options.prefillTokens(), config.maxPositions()), 5);
        double ppl =
            knownPerplexity >= 0 ? knownPerplexity : CalibrationProbe.perplexity(session, heldBack);
        return new DecoderManifest.Subnet(
            name,
            graph.getFileName().toString(),
            c.budget(),
            s.layers(),
            c.candidate().estimatedMillis(),
            decode,
            prefill,
            ppl,
            weightBytes(s, precision) + 4 * lowRankFloats(s, rank),
            rank,
            rank == 0 ? null : DecoderManifest.Subnet.variantName(s.name(), precision.label(), 0),
            precision.label());
      }
    }

    /**
     * Weight bytes one decode step of {@code s} reads in {@code precision}: its float32 weights, or
     * for a quantized precision the codes, scales and zero points of its linear layers and (int8)
     * LM head plus its float32 norms.
     */
    private long weightBytes(DecoderSubnet s, Precision precision) {
      if (!precision.isQuantized()) {
        return 4 * s.weightFloatsPerToken(config);
      }
      int h = config.hidden();
      long total =
          packedBytes(config.vocabSize(), h, QuantizedWeights.headPrecision(precision))
              + 4L * h * (1 + 2L * s.layers().size());
      for (DecoderSubnet.Layer l : s.layers()) {
        int a = l.kvGroups() * config.groupSize() * config.headDim();
        int kv = l.kvGroups() * config.headDim();
        int f = l.mlpWidth();
        total +=
            packedBytes(a, h, precision)
                + 2 * packedBytes(kv, h, precision)
                + packedBytes(h, a, precision)
                + 2 * packedBytes(f, h, precision)
                + packedBytes(h, f, precision);
      }
      return total;
    }

    private static long packedBytes(int out, int in, Precision p) {
      return BlockQuantizer.packedBytes(out, in, p.bits(), p.block());
    }

    /**
     * Factor floats one decode step of {@code s} reads at rank {@code rank}: r·(in' + out') per
     * projection.
     */
    private long lowRankFloats(DecoderSubnet s, int rank) {
      long total = 0;
      int h = config.hidden();
      for (DecoderSubnet.Layer l : s.layers()) {
        int a = l.kvGroups() * config.groupSize() * config.headDim();
        int kv = l.kvGroups() * config.headDim();
        int f = l.mlpWidth();
        total += (long) rank * ((h + a) * 2L + (h + kv) * 2L + (h + f) * 3L);
      }
      return total;
    }

    DecoderSession open(Path graph, DecoderSubnet s) throws IOException, OrtException {
      return DecoderSession.open(graph, weights, sessions, config, s);
    }

    /** Held-back perplexity of a candidate, through a scratch graph deleted afterwards. */
    double perplexity(DecoderSubnet s, List<long[]> windows) throws IOException, OrtException {
      Path graph = writeGraph(s, "candidate.onnx");
      try (DecoderSession session = open(graph, s)) {
        return CalibrationProbe.perplexity(session, windows);
      } finally {
        Files.deleteIfExists(graph);
      }
    }

    double decodeMillis(DecoderSubnet s, Options options) throws IOException, OrtException {
      Path graph = writeGraph(s, "timing.onnx");
      try (DecoderSession session = open(graph, s)) {
        return DecoderTimer.decodeMillis(session, options.decodeContext(), options.timingSteps());
      } finally {
        Files.deleteIfExists(graph);
      }
    }
  }

  /**
   * Runs the dense model's probe over the ranking windows: importance always, and the linear
   * layers' input statistics into {@code activations} when compression needs them (null otherwise).
   */
  private static Importance rank(
      DecoderWeights dense,
      CalibrationText calibration,
      Path staging,
      Options options,
      LayerActivations activations,
      Progress progress)
      throws IOException, OrtException {
    LlamaConfig c = dense.config();
    Importance importance = new Importance(c.layers(), c.heads(), c.headDim(), c.intermediate());
    CalibrationProbe.probe(
        dense,
        calibration.rank(),
        staging,
        options.sessions(),
        progress,
        "rank",
        (tokens, out) -> {
          for (int l = 0; l < c.layers(); l++) {
            String p = "probe.l" + l + ".";
            importance.add(
                l,
                tokens,
                out.get(p + "mlp"),
                out.get(p + "heads"),
                out.get(p + "in"),
                out.get(p + "out"));
            if (activations != null) {
              activations.add(l, tokens, out);
            }
          }
          importance.inputDone();
        });
    return importance;
  }

  /**
   * Decode latency with no layers (the base), then with every layer at each grid point; a layer's
   * cost is the difference over the layer count. Timing noise can make a smaller point look slower,
   * so the table is made monotone (a point costs at least as much as any smaller one).
   */
  private static LatencyTable timeTable(Bundle bundle, Options options, Progress progress)
      throws IOException, OrtException {
    LlamaConfig c = bundle.config();
    int[] groups = java.util.stream.IntStream.rangeClosed(1, c.kvHeads()).toArray();
    int[] widths = widthGrid(c.intermediate());
    if (options.latencyModel() == LatencyModel.WEIGHTS) {
      double full = bundle.decodeMillis(DecoderSubnet.full(c), options);
      progress.update("time", 1, 1);
      return LatencyModel.byWeights(c, full, groups, widths);
    }
    int total = 1 + groups.length * widths.length;
    double base = bundle.decodeMillis(new DecoderSubnet("base", List.of()), options);
    progress.update("time", 1, total);
    double[][] perLayer = new double[groups.length][widths.length];
    for (int gi = 0; gi < groups.length; gi++) {
      for (int wi = 0; wi < widths.length; wi++) {
        DecoderSubnet s = DecoderSubnet.uniform("t", c, 1.0, 1.0, List.of());
        List<DecoderSubnet.Layer> layers = new ArrayList<>();
        for (DecoderSubnet.Layer l : s.layers()) {
          layers.add(new DecoderSubnet.Layer(l.index(), groups[gi], widths[wi]));
        }
        double millis = bundle.decodeMillis(new DecoderSubnet("t", layers), options);
        perLayer[gi][wi] = Math.max(0, (millis - base) / c.layers());
        progress.update("time", 2 + gi * widths.length + wi, total);
      }
    }
    for (int gi = 0; gi < groups.length; gi++) {
      for (int wi = 0; wi < widths.length; wi++) {
        double floor =
            Math.max(gi > 0 ? perLayer[gi - 1][wi] : 0, wi > 0 ? perLayer[gi][wi - 1] : 0);
        perLayer[gi][wi] = Math.max(perLayer[gi][wi], floor);
      }
    }
    return new LatencyTable(base, groups, widths, perLayer);
  }

  /**
   * MLP widths tried: eighths of the full width, rounded to a multiple of 8 (vectorised kernels),
   * plus the full width.
   */
  static int[] widthGrid(int intermediate) {
    TreeSet<Integer> widths = new TreeSet<>();
    for (int eighth = 1; eighth <= 8; eighth++) {
      int w =
          eighth == 8
              ? intermediate
              : Math.max(8, (int) Math.round(intermediate * eighth / 8.0 / 8) * 8);
      widths.add(Math.min(w, intermediate));
    }
    return widths.stream().mapToInt(Integer::intValue).toArray();
  }
}
