package io.flexserve.server.cli;

import io.flexserve.models.llm.CalibrationText;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.runtime.DecoderSession;
import io.flexserve.models.runtime.DecoderTimer;
import io.flexserve.models.runtime.ElasticDecoder;
import io.flexserve.models.runtime.Perplexity;
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
 * {@code flexserve eval --bundle B --text FILE}: per sub-network perplexity on the text, decode and prefill speed,
 * weight bytes read per token; then the speed check of elastic decoding: every sub-network's decode speed-up over
 * full must reach 0.8 × its reduction in weight bytes per token (decode is memory-bound), and its prefill speed-up
 * 0.8 × its reduction in FLOPs. Exits 1 when a sub-network misses either.
 */
@Command(name = "eval", description = "Per sub-network perplexity, tokens/s and weight bytes of an elastic decoder bundle.")
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--bundle", required = true, description = "Elastic decoder bundle directory.")
  Path bundle;

  @Option(names = "--text", required = true, description = "Evaluation text (not the calibration text).")
  Path text;

  @Option(names = "--window", defaultValue = "128", description = "Tokens per perplexity window (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--windows", defaultValue = "16", description = "Windows scored (default: ${DEFAULT-VALUE}).")
  int windows;

  @Option(names = "--context", defaultValue = "64", description = "Cached tokens behind each timed decode step (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--steps", defaultValue = "60", description = "Timed decode steps per sub-network; the median is kept (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--prefill", defaultValue = "128", description = "Prompt tokens of the timed prefill (default: ${DEFAULT-VALUE}).")
  int prefill;

  @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime threads (default: ${DEFAULT-VALUE}).")
  int threads;

  /** One row of the report. */
  record Row(DecoderManifest.Subnet subnet, double perplexity, double decodeTokensPerSecond, double prefillTokensPerSecond,
             long weightBytesPerToken, long prefillFlops) {}

  @Override
  public Integer call() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (ElasticDecoder decoder = ElasticDecoder.load(bundle, SessionConfig.cpu(threads), s -> true)) {
      LlamaConfig c = decoder.config();
      List<long[]> scored = CalibrationText.windows(Files.readString(text), decoder.tokenizer(), window);
      scored = scored.subList(0, Math.min(windows, scored.size()));
      if (scored.isEmpty()) {
        throw new IllegalArgumentException(text + " has fewer than " + window + " tokens");
      }
      try (ProgressBar bar = new ProgressBar("eval", decoder.subnets().size())) {
        for (DecoderManifest.Subnet s : decoder.subnets()) {
          DecoderSession session = decoder.session(s.name());
          Perplexity.Nll nll = new Perplexity.Nll(0, 0);
          for (long[] w : scored) {
            nll = nll.plus(Perplexity.nll(session, w, w.length));
          }
          double decodeMs = DecoderTimer.decodeMillis(session, context, steps);
          double prefillMs = DecoderTimer.prefillMillis(session, prefill, 7);
          DecoderSubnet spec = s.spec();
          rows.add(new Row(s, nll.perplexity(), 1000 / decodeMs, prefill * 1000 / prefillMs,
              4 * spec.weightFloatsPerToken(c), spec.prefillFlops(c, prefill)));
          bar.step();
        }
      }
      System.out.printf("%s: %d windows × %d tokens of %s; decode after %d cached tokens; prefill of %d; %d ORT thread(s)%n",
          decoder.manifest().name(), scored.size(), window, text.getFileName(), context, prefill, threads);
    }
    return print(rows) ? 0 : 1;
  }

  /** Prints the table and the ratio check; true when every sub-network meets both targets. */
  static boolean print(List<Row> rows) {
    Row full = rows.get(0);
    boolean ok = true;
    System.out.printf("%-8s %-22s %10s %10s %12s %10s | %8s %8s %4s | %8s %8s %4s%n", "subnet", "kv groups / mlp width",
        "perplexity", "decode t/s", "prefill t/s", "MB/token", "dec ×", "bytes ×", "", "pre ×", "flops ×", "");
    for (Row r : rows) {
      double decodeSpeedup = r.decodeTokensPerSecond() / full.decodeTokensPerSecond();
      double bytesRatio = (double) full.weightBytesPerToken() / r.weightBytesPerToken();
      double prefillSpeedup = r.prefillTokensPerSecond() / full.prefillTokensPerSecond();
      double flopsRatio = (double) full.prefillFlops() / r.prefillFlops();
      boolean decodeOk = decodeSpeedup >= 0.8 * bytesRatio;
      boolean prefillOk = prefillSpeedup >= 0.8 * flopsRatio;
      ok &= decodeOk && prefillOk;
      System.out.printf("%-8s %-22s %10.3f %10.1f %12.1f %10.2f | %8.2f %8.2f %4s | %8.2f %8.2f %4s%n", r.subnet().name(),
          LayerSummary.of(r.subnet().layers()), r.perplexity(), r.decodeTokensPerSecond(), r.prefillTokensPerSecond(),
          r.weightBytesPerToken() / 1e6, decodeSpeedup, bytesRatio, decodeOk ? "ok" : "MISS", prefillSpeedup, flopsRatio,
          prefillOk ? "ok" : "MISS");
    }
    System.out.println("target: dec × ≥ 0.8 · bytes ×  and  pre × ≥ 0.8 · flops ×  (× = relative to full)");
    return ok;
  }
}
