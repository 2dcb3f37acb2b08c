package io.flexserve.models.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json} of an elastic decoder bundle, format version 1. A bundle directory holds:
 * <pre>
 *   manifest.json     this record
 *   weights.bin       all weights once, importance-ordered (layout: {@link DecoderWeights}, keys: {@link DecoderWeightFile})
 *   tokenizer.json    the checkpoint's Hugging Face tokenizer
 *   &lt;subnet&gt;.onnx     one graph per sub-network ({@link DecoderGraph}); initializers are external data in weights.bin
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
 * @param blockImportance per layer, 1 − cos(h_in, h_out) on the calibration text; the least important are skipped first
 */
public record DecoderManifest(String format, int version, String name, String source, JsonNode config, String weights,
                              String tokenizer, Calibration calibration, Latency latency, List<Subnet> subnets,
                              List<Double> blockImportance) {
  public static final String FORMAT = "flexserve-elastic-decoder";
  public static final int VERSION = 1;
  public static final String FILE = "manifest.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public DecoderManifest {
    if (!FORMAT.equals(format) || version != VERSION) {
      throw new IllegalArgumentException("not a " + FORMAT + " v" + VERSION + " manifest: format=" + format + " version=" + version);
    }
    subnets = List.copyOf(subnets);
    blockImportance = List.copyOf(blockImportance);
    if (subnets.isEmpty()) {
      throw new IllegalArgumentException("manifest lists no sub-networks");
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
   * One menu entry as measured at conversion (single-sequence, this machine, the converter's thread count).
   *
   * @param budget the fraction of full latency it was chosen for
   * @param estimatedDecodeMs the latency table's estimate of a decode step
   * @param decodeMs measured median decode step, the basis of tokens/s
   * @param prefillMs measured median prefill of {@link Latency#prefillTokens()} tokens
   * @param perplexity on the held-back calibration windows
   * @param weightBytesPerToken weight bytes one decode step reads
   */
  public record Subnet(String name, String graph, double budget, List<DecoderSubnet.Layer> layers, double estimatedDecodeMs,
                       double decodeMs, double prefillMs, double perplexity, long weightBytesPerToken) {
    public DecoderSubnet spec() {
      return new DecoderSubnet(name, layers);
    }
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

  static JsonNode configJson(LlamaConfig config) throws IOException {
    return JSON.readTree(config.toJson());
  }
}
