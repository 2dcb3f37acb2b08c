package io.flexserve.models.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.Distillation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json} of an elastic encoder bundle, format version 1. A bundle directory holds:
 *
 * <pre>
 *   manifest.json     this record
 *   weights.bin       all weights once, importance-ordered (see EncoderWeights for the layout)
 *   tokenizer.json    Hugging Face tokenizer
 *   &lt;subnet&gt;.onnx     one graph per sub-network; initializers are external data in weights.bin
 * </pre>
 *
 * @param format always {@value #FORMAT}
 * @param version always {@value #VERSION}; readers reject other versions
 * @param name model name as served (URL-safe)
 * @param source where the dense weights came from
 * @param config encoder shape
 * @param weights weight file name
 * @param tokenizer tokenizer file name
 * @param subnets nested sub-networks, largest first
 * @param blockImportance per layer, 1 − cos(h_in, h_out) on the calibration set; the basis for
 *     layer skipping
 * @param qualityMeasure what each sub-network's {@code quality} is; absent (null) for the mean
 *     cosine to full on the validation sentences, else e.g. {@code spearman on sts-dev.csv}
 *     (Spearman correlation of cosine similarity with the human scores of a labelled similarity
 *     set, {@link SimilaritySet}). Added compatibly within version 1.
 * @param distillation how the weights were retrained ({@code flexserve distill}); absent (null) for
 *     a bundle as converted
 */
public record EncoderManifest(
    String format,
    int version,
    String name,
    String source,
    EncoderConfig config,
    String weights,
    String tokenizer,
    List<Subnet> subnets,
    List<Double> blockImportance,
    String qualityMeasure,
    Distillation distillation) {
  public static final String FORMAT = "flexserve-elastic-encoder";
  public static final int VERSION = 1;
  public static final String FILE = BundleFormat.FILE;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public EncoderManifest {
    BundleFormat.require(FORMAT, VERSION, format, version);
    subnets = List.copyOf(subnets);
    blockImportance = List.copyOf(blockImportance);
    if (subnets.isEmpty()) {
      throw new IllegalArgumentException("manifest lists no sub-networks");
    }
  }

  /** A bundle as converted, its quality the mean cosine to full. */
  public EncoderManifest(
      String format,
      int version,
      String name,
      String source,
      EncoderConfig config,
      String weights,
      String tokenizer,
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
        subnets,
        blockImportance,
        null,
        null);
  }

  /**
   * This manifest with each sub-network's quality replaced (by name) and measured as {@code
   * measure}.
   */
  public EncoderManifest withQuality(
      java.util.Map<String, Double> quality, String measure, Distillation distillation) {
    List<Subnet> updated =
        subnets.stream()
            .map(
                s ->
                    new Subnet(
                        s.name(),
                        s.graph(),
                        s.layers(),
                        s.heads(),
                        s.mlpWidth(),
                        s.relativeSize(),
                        quality.getOrDefault(s.name(), s.quality())))
            .toList();
    return new EncoderManifest(
        format,
        version,
        name,
        source,
        config,
        weights,
        tokenizer,
        updated,
        blockImportance,
        measure,
        distillation);
  }

  /**
   * One sub-network as recorded at conversion.
   *
   * @param graph ONNX file name in the bundle
   * @param relativeSize transformer-block parameters relative to full, (0, 1]
   * @param quality mean cosine similarity of its embeddings to the full model's on the validation
   *     sentences, or the manifest's {@code qualityMeasure}
   */
  public record Subnet(
      String name,
      String graph,
      List<Integer> layers,
      int heads,
      int mlpWidth,
      double relativeSize,
      double quality) {
    public EncoderSubnet spec() {
      return new EncoderSubnet(name, layers, heads, mlpWidth);
    }
  }

  public static EncoderManifest read(Path bundleDir) throws IOException {
    return JSON.readValue(bundleDir.resolve(FILE).toFile(), EncoderManifest.class);
  }

  public void write(Path bundleDir) throws IOException {
    Files.writeString(bundleDir.resolve(FILE), JSON.writeValueAsString(this));
  }
}
