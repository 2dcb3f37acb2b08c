package io.flexserve.models.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.Distillation;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json} of an elastic decoder bundle, format version 1. A bundle directory holds:
 *
 * <pre>
 *   manifest.json     this record
 *   weights.bin       all weights once, importance-ordered (layout: {@link DecoderWeights}, keys: {@link DecoderWeightFile})
 *   tokenizer.json    the checkpoint's Hugging Face tokenizer
 *   &lt;subnet&gt;.onnx     one graph per menu entry ({@link DecoderGraph}); initializers are external data in weights.bin
 *   head.&lt;precision&gt;.onnx  quantized bundles: the LM head every entry of that precision shares ({@link #headGraph})
 * </pre>
 *
 * @param format always {@value #FORMAT}
 * @param version always {@value #VERSION}; readers reject other versions
 * @param name model name as served (URL-safe)
 * @param source the checkpoint converted
 * @param config the dense model's Hugging Face {@code config.json}
 * @param weights weight file name
 * @param tokenizer tokenizer file name
 * @param calibration what text ranked importance and scored the candidates
 * @param latency the measured cost model the menu was chosen with
 * @param subnets the menu, largest first
 * @param blockImportance per layer, 1 − cos(h_in, h_out) on the calibration text; the least
 *     important are skipped first
 * @param compression how the linear layers were compressed and compensated; absent (null) for an
 *     uncompressed bundle. Added compatibly within version 1: a bundle without it reads as before.
 * @param distillation how the weights were retrained ({@code flexserve distill}); absent (null) for
 *     a bundle as converted. Then each sub-network's {@code perplexity} is the one measured after
 *     training, on its held-out text.
 */
public record DecoderManifest(
    String format,
    int version,
    String name,
    String source,
    JsonNode config,
    String weights,
    String tokenizer,
    Calibration calibration,
    Latency latency,
    List<Subnet> subnets,
    List<Double> blockImportance,
    Compression compression,
    Distillation distillation) {
  public static final String FORMAT = "flexserve-elastic-decoder";
  public static final int VERSION = 1;
  public static final String FILE = BundleFormat.FILE;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public DecoderManifest {
    BundleFormat.require(FORMAT, VERSION, format, version);
    subnets = List.copyOf(subnets);
    blockImportance = List.copyOf(blockImportance);
    if (subnets.isEmpty()) {
      throw new IllegalArgumentException("manifest lists no sub-networks");
    }
  }

  /** A bundle as converted (not distilled). */
  public DecoderManifest(
      String format,
      int version,
      String name,
      String source,
      JsonNode config,
      String weights,
      String tokenizer,
      Calibration calibration,
      Latency latency,
      List<Subnet> subnets,
      List<Double> blockImportance,
      Compression compression) {
    this(
        format,
        version,
        name,
        source,
        config,
        weights,
        tokenizer,
        calibration,
        latency,
        subnets,
        blockImportance,
        compression,
        null);
  }

  /** An uncompressed bundle. */
  public DecoderManifest(
      String format,
      int version,
      String name,
      String source,
      JsonNode config,
      String weights,
      String tokenizer,
      Calibration calibration,
      Latency latency,
      List<Subnet> subnets,
      List<Double> blockImportance) {
    this(
        format,
        version,
        name,
        source,
        config,
        weights,
        tokenizer,
        calibration,
        latency,
        subnets,
        blockImportance,
        null,
        null);
  }

  /**
   * The compression of a bundle's linear layers (all seven of every block; embeddings, norms and LM
   * head stay float32). weights.bin holds the compressed weights W_c as the float32 values they
   * stand for, so that every sub-network keeps reading prefixes; {@code packedLinearBytes} is what
   * the linear layers take in the packed format (int8 codes + scales, int4 in MatMulNBits layout,
   * 2:4 values + 2-bit indices).
   *
   * @param describe e.g. {@code int4 g32 + 2:4-wanda, eora r16}
   * @param quantization {@code none | int8 | int4}
   * @param blockSize int4 block along the input dimension (0 otherwise)
   * @param pruning {@code none | 2:4-magnitude | 2:4-wanda | 2:4-mask}
   * @param compensation {@code eora | svd}
   * @param rank stored rank R of every layer's factors {@code l<i>.<tensor>.lr_a [R, in]}, {@code
   *     .lr_bt [R, out]}
   * @param servedRanks ranks with graphs (each sub-network {@code s} has {@code s.r<rank>}
   *     entries), ascending
   * @param denseLinearBytes float32 bytes of the linear layers before compression
   * @param packedLinearBytes bytes of the compressed linear layers in the packed format
   * @param factorBytes float32 bytes of all factors at rank R (a served rank r reads r / R of them)
   */
  public record Compression(
      String describe,
      String quantization,
      int blockSize,
      String pruning,
      String compensation,
      int rank,
      List<Integer> servedRanks,
      long denseLinearBytes,
      long packedLinearBytes,
      long factorBytes) {
    public Compression {
      servedRanks = List.copyOf(servedRanks);
    }
  }

  /**
   * @param windowTokens tokens per calibration window
   * @param rankWindows windows used to rank neurons, groups and layers
   * @param heldBackWindows windows held back to score candidates (perplexity)
   */
  public record Calibration(String file, int windowTokens, int rankWindows, int heldBackWindows) {}

  /**
   * @param decodeContext cached tokens behind every timed decode step
   * @param prefillTokens prompt length of the timed prefill
   * @param table per-layer decode cost, the menu search's latency model
   */
  public record Latency(int decodeContext, int prefillTokens, LatencyTable table) {}

  /**
   * One menu entry as measured at conversion (single-sequence, this machine, the converter's thread
   * count): a (sub-network, precision, compensation rank) triple.
   *
   * @param budget the fraction of full latency it was chosen for
   * @param estimatedDecodeMs the latency table's estimate of a decode step
   * @param decodeMs measured median decode step, the basis of tokens/s
   * @param prefillMs measured median prefill of {@link Latency#prefillTokens()} tokens
   * @param perplexity on the held-back calibration windows
   * @param weightBytesPerToken weight bytes one decode step reads (in this precision, plus the
   *     factors at this rank)
   * @param eoraRank rank of the low-rank compensation this graph runs (0: none)
   * @param base for {@code eoraRank > 0}, the entry of the same layers and precision without
   *     compensation (this entry is named {@code <base>.r<rank>}); null otherwise
   * @param precision {@code fp32}, {@code int8} or {@code int4} ({@link Precision}); absent (null)
   *     in bundles written before quantized serving, which read as fp32
   */
  public record Subnet(
      String name,
      String graph,
      double budget,
      List<DecoderSubnet.Layer> layers,
      double estimatedDecodeMs,
      double decodeMs,
      double prefillMs,
      double perplexity,
      long weightBytesPerToken,
      int eoraRank,
      String base,
      String precision) {
    public Subnet {
      if (eoraRank < 0 || (eoraRank > 0) != (base != null)) {
        throw new IllegalArgumentException(
            "sub-network " + name + ": eoraRank " + eoraRank + " with base " + base);
      }
      precision = Precision.parse(precision, 32).label();
    }

    /** An fp32 entry. */
    public Subnet(
        String name,
        String graph,
        double budget,
        List<DecoderSubnet.Layer> layers,
        double estimatedDecodeMs,
        double decodeMs,
        double prefillMs,
        double perplexity,
        long weightBytesPerToken,
        int eoraRank,
        String base) {
      this(
          name,
          graph,
          budget,
          layers,
          estimatedDecodeMs,
          decodeMs,
          prefillMs,
          perplexity,
          weightBytesPerToken,
          eoraRank,
          base,
          null);
    }

    /** An fp32 entry without compensation. */
    public Subnet(
        String name,
        String graph,
        double budget,
        List<DecoderSubnet.Layer> layers,
        double estimatedDecodeMs,
        double decodeMs,
        double prefillMs,
        double perplexity,
        long weightBytesPerToken) {
      this(
          name,
          graph,
          budget,
          layers,
          estimatedDecodeMs,
          decodeMs,
          prefillMs,
          perplexity,
          weightBytesPerToken,
          0,
          null);
    }

    /** This entry with {@code perplexity} (re-measured after training). */
    public Subnet withPerplexity(double ppl) {
      return new Subnet(
          name,
          graph,
          budget,
          layers,
          estimatedDecodeMs,
          decodeMs,
          prefillMs,
          ppl,
          weightBytesPerToken,
          eoraRank,
          base,
          precision);
    }

    public DecoderSubnet spec() {
      return new DecoderSubnet(name, layers);
    }

    /**
     * The name of {@code base}'s entry at compensation rank {@code rank} (the base itself for 0).
     */
    public static String variantName(String base, int rank) {
      return rank == 0 ? base : base + ".r" + rank;
    }

    /**
     * The name of sub-network {@code subnet}'s entry in {@code precision} at rank {@code rank}:
     * {@code full}, {@code full.r16} (fp32), {@code full.int4}, {@code full.int4.r16}.
     */
    public static String variantName(String subnet, String precision, int rank) {
      return variantName(precision.equals("fp32") ? subnet : subnet + "." + precision, rank);
    }
  }

  /**
   * The compensation rank of entry {@code subnet} (0 for an entry without, or a name not listed).
   */
  public int eoraRankOf(String subnet) {
    for (Subnet s : subnets) {
      if (s.name().equals(subnet)) {
        return s.eoraRank();
      }
    }
    return 0;
  }

  /**
   * The head graph file shared by the entries of {@code precision} ({@link
   * DecoderGraph#buildHead}), or null for float32, whose graphs compute their own logits.
   */
  public static String headGraph(String precision) {
    return precision.equals("fp32") ? null : "head." + precision + ".onnx";
  }

  /** The precision entry {@code s} runs in, with this bundle's quantization block. */
  public Precision precisionOf(Subnet s) {
    return Precision.parse(s.precision(), compression == null ? 32 : compression.blockSize());
  }

  /** Ranks a request may ask for: 0 and the served ranks (just 0 for an uncompressed bundle). */
  public List<Integer> eoraRanks() {
    List<Integer> ranks = new java.util.ArrayList<>(List.of(0));
    if (compression != null) {
      ranks.addAll(compression.servedRanks());
    }
    return ranks;
  }

  /** The dense model's configuration, parsed and validated. */
  public LlamaConfig llamaConfig() throws CheckpointException {
    return LlamaConfig.parse(config.toString(), FILE + " config");
  }

  public static DecoderManifest read(Path bundleDir) throws IOException {
    return JSON.readValue(bundleDir.resolve(FILE).toFile(), DecoderManifest.class);
  }

  public void write(Path bundleDir) throws IOException {
    Files.writeString(bundleDir.resolve(FILE), JSON.writeValueAsString(this));
  }

  public static JsonNode configJson(LlamaConfig config) throws IOException {
    return JSON.readTree(config.toJson());
  }
}
