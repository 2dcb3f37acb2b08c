package io.flexserve.toolchain;

import io.flexserve.convert.encoder.EncoderQuality;
import io.flexserve.convert.encoder.SimilaritySet;
import io.flexserve.convert.llm.ElasticDecoderConverter;
import io.flexserve.convert.llm.LatencyModel;
import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.ElasticEncoderConverter;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.encoder.MiniLmDefault;
import io.flexserve.models.encoder.SubnetPlan;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve convert}: makes an elastic bundle that a model repository ({@code
 * FLEXSERVE_MODEL_DIR}) can serve. With {@code --checkpoint}, from a Hugging Face Llama-family
 * checkpoint (an elastic decoder, menu chosen by latency budget); without, from the embedded
 * all-MiniLM-L6-v2 encoder.
 */
@Command(
    name = "convert",
    description = {
      "Convert a Hugging Face Llama-family checkpoint (--checkpoint, --calibration) into an elastic decoder bundle,",
      "or, without --checkpoint, the embedded all-MiniLM-L6-v2 encoder into an elastic encoder bundle."
    })
public final class ConvertCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      description = "Bundle directory to write (replaced if it exists).")
  Path out;

  @Option(
      names = "--checkpoint",
      description = "Checkpoint directory: config.json, *.safetensors, tokenizer.json.")
  Path checkpoint;

  @Option(
      names = "--calibration",
      description =
          "Calibration text (documents separated by blank lines); required with --checkpoint.")
  Path calibration;

  @Option(
      names = "--name",
      description = "Model name as served (default: the --out directory name).")
  String name;

  @Option(
      names = "--budgets",
      split = ",",
      defaultValue = "1,0.85,0.7,0.55,0.4",
      description =
          "Latency budgets as fractions of full decode latency, descending from 1 (default: ${DEFAULT-VALUE}).")
  List<Double> budgets;

  @Option(
      names = "--window",
      defaultValue = "128",
      description = "Tokens per calibration window (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--rank-windows",
      defaultValue = "64",
      description = "Windows that rank importance (default: ${DEFAULT-VALUE}).")
  int rankWindows;

  @Option(
      names = "--held-back",
      defaultValue = "8",
      description = "Windows held back to score candidates (default: ${DEFAULT-VALUE}).")
  int heldBack;

  @Option(
      names = "--per-budget",
      defaultValue = "6",
      description = "Candidates scored per budget (default: ${DEFAULT-VALUE}).")
  int perBudget;

  @Option(
      names = "--mlp-variants",
      split = ",",
      description =
          "Fractions of the MLP width (e.g. 0.5,0.25) for KV-compatible variants of full (full-mlp50, ...), "
              + "between which a generation may switch token by token (default: none).")
  List<Double> mlpVariants = List.of();

  @Option(
      names = "--latency-model",
      defaultValue = "measured",
      converter = LatencyModelConverter.class,
      description =
          "Decoder: where the menu search's latency estimates come from: measured (time every layer shape on "
              + "this machine) or weights (time full once, split by the weights each part reads; the same menu on "
              + "any machine) (default: ${DEFAULT-VALUE}).")
  LatencyModel latencyModel;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime threads (0 = all cores).")
  int threads;

  @Option(
      names = "--quality-set",
      description =
          "Encoder: scored sentence pairs (STS benchmark layout, or s1 TAB s2 TAB "
              + "score); each sub-network's quality becomes its Spearman correlation on them instead of its cosine to full.")
  Path qualitySet;

  @picocli.CommandLine.Mixin CompressionOptions compression = new CompressionOptions();

  /** {@code measured} or {@code weights}, in any case. */
  static final class LatencyModelConverter
      implements picocli.CommandLine.ITypeConverter<LatencyModel> {
    @Override
    public LatencyModel convert(String value) {
      try {
        return LatencyModel.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected measured or weights, got '" + value + "'");
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    return checkpoint == null ? encoder() : decoder();
  }

  private int decoder() throws Exception {
    if (qualitySet != null) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--quality-set scores encoders; a decoder is scored by perplexity on its held-back calibration windows");
    }
    if (calibration == null) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--checkpoint needs --calibration FILE");
    }
    String served = name != null ? name : out.toAbsolutePath().getFileName().toString();
    ElasticDecoderConverter.Options options;
    try {
      options =
          new ElasticDecoderConverter.Options(
              served,
              budgets,
              window,
              rankWindows,
              heldBack,
              perBudget,
              Integer.MAX_VALUE,
              64,
              40,
              128,
              SessionConfig.cpu(threads),
              mlpVariants == null ? List.of() : mlpVariants,
              compression.plan(),
              latencyModel);
    } catch (IllegalArgumentException e) { // a bad option: usage (exit 2), before any work
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), e.getMessage());
    }
    DecoderManifest m;
    try (ProgressBars bars = new ProgressBars()) {
      m = ElasticDecoderConverter.convert(checkpoint, calibration, out, options, bars);
    }
    if (m.compression() != null) {
      DecoderManifest.Compression c = m.compression();
      System.out.printf(
          "compression: %s; linear layers %.2f MB float32 → %.2f MB packed; factors %.2f MB at rank %d%n",
          c.describe(),
          c.denseLinearBytes() / 1e6,
          c.packedLinearBytes() / 1e6,
          c.factorBytes() / 1e6,
          c.rank());
    }
    System.out.printf(
        "%-14s %6s %6s %-28s %10s %10s %10s %12s%n",
        "subnet",
        "budget",
        "layers",
        "kv groups / mlp width",
        "est ms/tok",
        "ms/tok",
        "prefill ms",
        "perplexity");
    for (DecoderManifest.Subnet s : m.subnets()) {
      System.out.printf(
          "%-14s %6.2f %6d %-28s %10.3f %10.3f %10.2f %12.3f%n",
          s.name(),
          s.budget(),
          s.layers().size(),
          LayerSummary.of(s.layers()),
          s.estimatedDecodeMs(),
          s.decodeMs(),
          s.prefillMs(),
          s.perplexity());
    }
    System.out.println("wrote " + out.toAbsolutePath());
    return 0;
  }

  private int encoder() throws Exception {
    SimilaritySet set = null;
    if (qualitySet != null) {
      if (!java.nio.file.Files.isRegularFile(qualitySet)) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this),
            "--quality-set " + qualitySet + " is not a readable file");
      }
      set = SimilaritySet.read(qualitySet);
    }
    try (ProgressBars bars = new ProgressBars()) {
      EncoderManifest m =
          ElasticEncoderConverter.convert(
              new MiniLmDefault(),
              MiniLmDefault.calibrationSentences(),
              MiniLmDefault.validationSentences(),
              SubnetPlan::defaults,
              out,
              SessionConfig.cpu(threads),
              bars);
      if (set != null) {
        try (ElasticEncoder encoder =
            ElasticEncoder.load(out, SessionConfig.cpu(threads), n -> true)) {
          m = m.withQuality(EncoderQuality.spearman(encoder, set), set.measure(), null);
        }
        m.write(out);
        System.out.println("quality: " + set.measure() + " (" + set.size() + " pairs)");
      }
      System.out.printf(
          "%-20s %-18s %5s %5s %8s %8s%n", "subnet", "layers", "heads", "mlp", "size", "quality");
      for (EncoderManifest.Subnet s : m.subnets()) {
        System.out.printf(
            "%-20s %-18s %5d %5d %8.3f %8.4f%n",
            s.name(), s.layers(), s.heads(), s.mlpWidth(), s.relativeSize(), s.quality());
      }
      System.out.println("wrote " + out.toAbsolutePath());
    }
    return 0;
  }
}
