package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.flexserve.convert.encoder.EncoderQuality;
import io.flexserve.convert.encoder.SimilaritySet;
import io.flexserve.models.Distillation;
import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderConfig;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.encoder.EncoderSubnet;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.EncoderTokenizer;
import io.flexserve.models.text.TokenBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Distillation of an elastic encoder bundle. Loss: 1 − cosine between each trained sub-network's
 * sentence embedding and the teacher's (the frozen full model), the quantity a retrieval user
 * compares. Data: one text per line. Quality: with a labelled similarity set, the Spearman
 * correlation on it; without one, the mean cosine to the (distilled) full model on held-out lines;
 * both computed by ONNX Runtime from the written bundle.
 */
final class EncoderTask implements DistillTask {
  private final EncoderManifest manifest;
  private final EncoderConfig config;
  private final BundleTensors tensors;
  private final EncoderStudent student;
  private final EncoderTokenizer tokenizer;
  private final Map<String, EncoderSubnet> subnets = new LinkedHashMap<>();
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private final List<String> train;
  private final List<String>
      heldOut; // lines never trained on: the cosine measure without a similarity set
  private final SimilaritySet qualitySet; // null: cosine to full
  private final int rows;
  private final int threads;

  private EncoderTask(
      EncoderManifest manifest,
      BundleTensors tensors,
      EncoderTokenizer tokenizer,
      List<String> train,
      List<String> heldOut,
      SimilaritySet qualitySet,
      int rows,
      int threads) {
    this.manifest = manifest;
    this.config = manifest.config();
    this.tensors = tensors;
    this.student = new EncoderStudent(config);
    this.tokenizer = tokenizer;
    this.train = train;
    this.heldOut = heldOut;
    this.qualitySet = qualitySet;
    this.rows = rows;
    this.threads = threads;
    for (EncoderManifest.Subnet s : manifest.subnets()) {
      subnets.put(s.name(), s.spec());
    }
    for (String key : keys(config)) {
      shapes.put(key, student.shapeOf(key));
    }
  }

  /**
   * Opens {@code bundle} with its data.
   *
   * @param texts training text, one text per line (blank and repeated lines dropped); the last
   *     twentieth (at most {@code maxHeldOut} lines) is held out
   * @param qualitySet labelled pairs to score sub-networks by; null for cosine to full
   */
  static EncoderTask open(
      Path bundle,
      EncoderManifest manifest,
      List<String> texts,
      SimilaritySet qualitySet,
      int rows,
      int maxHeldOut,
      int threads)
      throws IOException {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("an encoder needs --text (one text per line)");
    }
    List<String> lines =
        new ArrayList<>(
            new LinkedHashSet<>(
                texts.stream()
                    .flatMap(String::lines)
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList()));
    int held = Math.min(maxHeldOut, lines.size() / 20);
    if (lines.size() - held < rows || (qualitySet == null && held < 2)) {
      throw new IllegalArgumentException(
          "the training text has "
              + lines.size()
              + " distinct lines: need at least "
              + Math.max(rows + 2, 40)
              + " (one text per line)");
    }
    BundleTensors tensors =
        BundleTensors.of(
            bundle.resolve(manifest.subnets().get(0).graph()), bundle.resolve(manifest.weights()));
    EncoderTokenizer tokenizer =
        EncoderTokenizer.load(
            bundle.resolve(manifest.tokenizer()), manifest.config().maxSequenceLength());
    // Training lines in order of token count, so that a batch of neighbours is padded little (see
    // batch()).
    List<String> train = new ArrayList<>(lines.subList(0, lines.size() - held));
    Map<String, Integer> length = new java.util.HashMap<>();
    for (String line : train) {
      length.put(line, tokenizer.encode(line).length);
    }
    train.sort(Comparator.comparingInt(length::get));
    return new EncoderTask(
        manifest,
        tensors,
        tokenizer,
        List.copyOf(train),
        List.copyOf(lines.subList(lines.size() - held, lines.size())),
        qualitySet,
        rows,
        threads);
  }

  private static List<String> keys(EncoderConfig config) {
    List<String> keys =
        new ArrayList<>(
            List.of("emb.word", "emb.pos", "emb.type0", "emb.norm.scale", "emb.norm.bias"));
    for (int l = 0; l < config.layers(); l++) {
      for (String t :
          List.of(
              "qT",
              "q",
              "kT",
              "k",
              "vT",
              "v",
              "o",
              "oBias",
              "attnNormScale",
              "attnNormBias",
              "upT",
              "upBias",
              "down",
              "downBias",
              "outNormScale",
              "outNormBias")) {
        keys.add("l" + l + "." + t);
      }
    }
    return keys;
  }

  int trainLines() {
    return train.size();
  }

  @Override
  public List<String> menu() {
    return List.copyOf(subnets.keySet());
  }

  @Override
  public String smallest() {
    return manifest.subnets().stream()
        .min(Comparator.comparingDouble(EncoderManifest.Subnet::relativeSize))
        .orElseThrow()
        .name();
  }

  @Override
  public BundleTensors tensors() {
    return tensors;
  }

  @Override
  public Map<String, Shape> shapes() {
    return shapes;
  }

  @Override
  public boolean trainable(String key) {
    // The word and position tables are shared by every sub-network and move little; leaving them
    // frozen saves a
    // third of the optimiser's memory and time on a MiniLM.
    return !key.equals("emb.word") && !key.equals("emb.pos");
  }

  /**
   * {@code rows} neighbouring lines of the length-sorted training set from a random start:
   * sentences of about one length, so padding (computed and thrown away) stays small; over the
   * steps every line is drawn alike.
   */
  @Override
  public Batch batch(long seed, int step) {
    Random random = new Random(seed * 1_000_003L + step);
    int from = random.nextInt(train.size() - rows + 1);
    List<String> texts = train.subList(from, from + rows);
    TokenBatch t = tokenizer.encodeBatch(texts);
    float[] mask = new float[t.attentionMask().length];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = t.attentionMask()[i];
    }
    return new Batch(t.inputIds(), mask, t.batch(), t.sequence(), t.realTokens());
  }

  @Override
  public NDArray loss(
      Map<String, NDArray> student,
      Map<String, NDArray> teacher,
      Batch batch,
      List<String> names,
      float largestWeight) {
    NDManager manager = student.get("emb.word").getManager();
    NDArray ids =
        OwnedArrays.of(manager, batch.ids(), new Shape(batch.rows(), batch.columns())); // [B, S]
    NDArray mask =
        OwnedArrays.of(manager, batch.mask(), new Shape(batch.rows(), batch.columns())); // [B, S]
    NDArray target = this.student.embed(teacher, subnets.get(menu().get(0)), ids, mask); // [B, H]
    return weightedMean(
        names,
        largestWeight,
        name -> {
          NDArray e = this.student.embed(student, subnets.get(name), ids, mask); // [B, H]
          return OwnedArrays.plus(e.mul(target).sum(new int[] {-1}).neg(), 1f).mean(); // 1 − cos
        });
  }

  @Override
  public Map<String, Double> measure(Path dir) throws Exception {
    try (ElasticEncoder encoder =
        ElasticEncoder.load(dir, SessionConfig.cpu(threads), name -> true)) {
      return qualitySet != null
          ? EncoderQuality.spearman(encoder, qualitySet)
          : EncoderQuality.cosineToFull(encoder, heldOut);
    }
  }

  @Override
  public String measureName() {
    return qualitySet != null
        ? qualitySet.measure()
        : "mean cosine to full on " + heldOut.size() + " held-out lines";
  }

  @Override
  public boolean lowerIsBetter() {
    return false;
  }

  @Override
  public void writeManifest(Path dir, Map<String, Double> quality, Distillation distillation)
      throws IOException {
    manifest.withQuality(quality, measureName(), distillation).write(dir);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
