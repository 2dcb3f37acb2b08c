package io.flexserve.toolchain;

import io.flexserve.convert.llm.CalibrationText;
import io.flexserve.convert.llm.Perplexity;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.DecoderTimer;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve eval --bundle B --text FILE}: per sub-network perplexity on the text, decode and
 * prefill speed, weight bytes read per token; then the speed check of elastic decoding: every
 * sub-network's decode speed-up over full must reach 0.8 × its reduction in weight bytes per token
 * (decode is memory-bound), and its prefill speed-up 0.8 × its reduction in FLOPs. Exits 1 when a
 * sub-network misses either.
 */
@Command(
    name = "eval",
    description =
        "Per sub-network perplexity, tokens/s and weight bytes of an elastic decoder bundle.")
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--bundle", description = "Elastic decoder bundle directory (with --text).")
  Path bundle;

  @Option(names = "--text", description = "Evaluation text (not the calibration text).")
  Path text;

  @Option(
      names = "--checkpoint",
      description =
          "Instead of a bundle: the compression quality table of this checkpoint (with --calibration, --compress).")
  Path checkpoint;

  @Option(
      names = "--calibration",
      description =
          "Calibration text; its last --held-back windows are the evaluation text, as in convert.")
  Path calibration;

  @picocli.CommandLine.Mixin CompressionTableOptions table = new CompressionTableOptions();

  @Option(
      names = "--rank-windows",
      defaultValue = "64",
      description = "Calibration windows for the statistics (default: ${DEFAULT-VALUE}).")
  int rankWindows;

  @Option(
      names = "--held-back",
      defaultValue = "8",
      description = "Windows held back for perplexity (default: ${DEFAULT-VALUE}).")
  int heldBack;

  @Option(
      names = "--window",
      defaultValue = "128",
      description = "Tokens per perplexity window (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--windows",
      defaultValue = "16",
      description = "Windows scored (default: ${DEFAULT-VALUE}).")
  int windows;

  @Option(
      names = "--context",
      defaultValue = "64",
      description = "Cached tokens behind each timed decode step (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(
      names = "--steps",
      defaultValue = "60",
      description =
          "Timed decode steps per sub-network; the median is kept (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--prefill",
      defaultValue = "512",
      description = "Prompt tokens of the timed prefill (default: ${DEFAULT-VALUE}).")
  int prefill;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "ONNX Runtime threads (default: ${DEFAULT-VALUE}).")
  int threads;

  /** One row of the report. */
  record Row(
      DecoderManifest.Subnet subnet,
      double perplexity,
      double decodeTokensPerSecond,
      double prefillTokensPerSecond,
      long weightBytesPerToken,
      long prefillFlops) {}

  @Override
  public Integer call() throws Exception {
    if (checkpoint != null) {
      return compressionTable();
    }
    if (bundle == null || text == null) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "give --bundle and --text, or --checkpoint");
    }
    List<Row> rows = new ArrayList<>();
    try (ElasticDecoder decoder =
        ElasticDecoder.load(bundle, SessionConfig.cpu(threads), s -> true)) {
      LlamaConfig c = decoder.config();
      List<long[]> scored =
          CalibrationText.windows(Files.readString(text), decoder.tokenizer(), window);
      scored = scored.subList(0, Math.min(windows, scored.size()));
      if (scored.isEmpty()) {
        throw new IllegalArgumentException(text + " has fewer than " + window + " tokens");
      }
      // compressed and compensated variants (<subnet>.int4, <subnet>.r<rank>) are the compression's
      // knob, not elastic
      // sub-networks: their perplexity is reported against the float32 entry of the same layers,
      // after the table
      List<DecoderManifest.Subnet> subnets =
          decoder.subnets().stream()
              .filter(s -> s.eoraRank() == 0 && s.precision().equals("fp32"))
              .toList();
      List<DecoderManifest.Subnet> variants =
          decoder.subnets().stream().filter(s -> !subnets.contains(s)).toList();
      int n = subnets.size();
      double[] perplexity = new double[n];
      double[][] decodeMs = new double[n][ROUNDS];
      double[][] prefillMs = new double[n][ROUNDS];
      try (ProgressBar bar = new ProgressBar("eval", n * (1 + ROUNDS))) {
        for (int i = 0; i < n; i++) {
          perplexity[i] = Perplexity.ofWindows(decoder.session(subnets.get(i).name()), scored);
          bar.step();
        }
        // Timings in rounds, every sub-network once per round: all see the same machine state, so
        // the ratios
        // to full hold even when something else on the machine comes and goes.
        for (int r = 0; r < ROUNDS; r++) {
          for (int i = 0; i < n; i++) {
            DecoderSession session = decoder.session(subnets.get(i).name());
            decodeMs[i][r] =
                DecoderTimer.decodeMillis(session, context, Math.max(3, steps / ROUNDS));
            prefillMs[i][r] = DecoderTimer.prefillMillis(session, prefill, 2);
            bar.step();
          }
        }
      }
      for (int i = 0; i < n; i++) {
        DecoderSubnet spec = subnets.get(i).spec();
        rows.add(
            new Row(
                subnets.get(i),
                perplexity[i],
                1000 / BenchSupport.median(decodeMs[i]),
                prefill * 1000 / BenchSupport.median(prefillMs[i]),
                4 * spec.weightFloatsPerToken(c),
                spec.prefillFlops(c, prefill)));
      }
      System.out.printf(
          "%s: %d windows × %d tokens of %s; decode after %d cached tokens; prefill of %d; %d ORT thread(s)%n",
          decoder.manifest().name(),
          scored.size(),
          window,
          text.getFileName(),
          context,
          prefill,
          threads);
      boolean ok = print(rows);
      printVariants(decoder, variants, subnets, perplexity, scored);
      return ok ? 0 : 1;
    }
  }

  /**
   * Held-out perplexity of each compressed or compensated entry against the float32 entry of the
   * same layers.
   */
  private static void printVariants(
      ElasticDecoder decoder,
      List<DecoderManifest.Subnet> variants,
      List<DecoderManifest.Subnet> dense,
      double[] densePerplexity,
      List<long[]> scored)
      throws Exception {
    if (variants.isEmpty()) {
      return;
    }
    System.out.printf(
        "%n%-18s %-6s %4s %10s %10s %12s%n",
        "entry", "prec", "rank", "perplexity", "fp32", "vs fp32");
    for (DecoderManifest.Subnet v : variants) {
      double ppl = Perplexity.ofWindows(decoder.session(v.name()), scored);
      int i = 0;
      while (i < dense.size() && !dense.get(i).layers().equals(v.layers())) {
        i++;
      }
      if (i == dense.size()) {
        System.out.printf(
            "%-18s %-6s %4d %10.3f %10s %12s%n",
            v.name(), v.precision(), v.eoraRank(), ppl, "", "");
      } else {
        System.out.printf(
            "%-18s %-6s %4d %10.3f %10.3f %+11.2f%%%n",
            v.name(),
            v.precision(),
            v.eoraRank(),
            ppl,
            densePerplexity[i],
            100 * (ppl / densePerplexity[i] - 1));
      }
    }
  }

  private static final int ROUNDS = 5;

  /**
   * The compression quality table: held-back perplexity of dense, each compression, and each with
   * SVD / EoRA per rank.
   */
  private int compressionTable() throws Exception {
    if (calibration == null || table.compress.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--checkpoint needs --calibration and --compress");
    }
    List<io.flexserve.convert.compress.CompressionPlan> plans = table.plans(List.of());
    io.flexserve.convert.llm.CompressionStudy.Options options =
        new io.flexserve.convert.llm.CompressionStudy.Options(
            window, rankWindows, heldBack, plans, table.ranks, SessionConfig.cpu(threads));
    List<io.flexserve.convert.llm.CompressionStudy.Row> rows;
    try (ProgressBars bars = new ProgressBars()) {
      rows = io.flexserve.convert.llm.CompressionStudy.run(checkpoint, calibration, options, bars);
    }
    System.out.printf(
        "%s: perplexity on the %d held-back windows × %d tokens of %s (statistics from up to %d windows before them)%n",
        checkpoint.getFileName(), heldBack, window, calibration.getFileName(), rankWindows);
    System.out.printf(
        "| %-22s | %-12s | %4s | %10s | %9s |%n",
        "weights", "compensation", "rank", "perplexity", "gap closed");
    System.out.println("|------------------------|--------------|------|------------|-----------|");
    for (io.flexserve.convert.llm.CompressionStudy.Row r : rows) {
      System.out.printf(
          "| %-22s | %-12s | %4s | %10.4f | %9s |%n",
          r.weights(),
          r.compensation(),
          r.rank() == 0 ? "" : r.rank(),
          r.perplexity(),
          Double.isNaN(r.recovered()) ? "" : String.format("%.1f%%", 100 * r.recovered()));
    }
    return 0;
  }

  /** Prints the table and the ratio check; true when every sub-network meets both targets. */
  static boolean print(List<Row> rows) {
    Row full = rows.get(0);
    boolean ok = true;
    System.out.printf(
        "%-8s %-22s %10s %10s %12s %10s | %8s %8s %4s | %8s %8s %4s%n",
        "subnet",
        "kv groups / mlp width",
        "perplexity",
        "decode t/s",
        "prefill t/s",
        "MB/token",
        "dec ×",
        "bytes ×",
        "",
        "pre ×",
        "flops ×",
        "");
    for (Row r : rows) {
      double decodeSpeedup = r.decodeTokensPerSecond() / full.decodeTokensPerSecond();
      double bytesRatio = (double) full.weightBytesPerToken() / r.weightBytesPerToken();
      double prefillSpeedup = r.prefillTokensPerSecond() / full.prefillTokensPerSecond();
      double flopsRatio = (double) full.prefillFlops() / r.prefillFlops();
      boolean decodeOk = decodeSpeedup >= 0.8 * bytesRatio;
      boolean prefillOk = prefillSpeedup >= 0.8 * flopsRatio;
      ok &= decodeOk && prefillOk;
      System.out.printf(
          "%-8s %-22s %10.3f %10.1f %12.1f %10.2f | %8.2f %8.2f %4s | %8.2f %8.2f %4s%n",
          r.subnet().name(),
          LayerSummary.of(r.subnet().layers()),
          r.perplexity(),
          r.decodeTokensPerSecond(),
          r.prefillTokensPerSecond(),
          r.weightBytesPerToken() / 1e6,
          decodeSpeedup,
          bytesRatio,
          decodeOk ? "ok" : "MISS",
          prefillSpeedup,
          flopsRatio,
          prefillOk ? "ok" : "MISS");
    }
    System.out.println(
        "target: dec × ≥ 0.8 · bytes ×  and  pre × ≥ 0.8 · flops ×  (× = relative to full)");
    return ok;
  }
}
