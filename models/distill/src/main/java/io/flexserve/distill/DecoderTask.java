package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.flexserve.convert.llm.CalibrationText;
import io.flexserve.convert.llm.Perplexity;
import io.flexserve.models.Distillation;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSubnet;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.checkpoint.CheckpointException;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.DecoderTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Distillation of an elastic decoder bundle. Loss: the KL divergence from the teacher's next-token
 * distribution (the frozen full model) to each trained sub-network's, at every position. Data:
 * windows of the training text, or of stories the teacher samples itself when there is no text.
 * Quality: perplexity of every sub-network on held-out windows, computed by ONNX Runtime from the
 * written bundle.
 */
final class DecoderTask implements DistillTask {
  private final DecoderManifest manifest;
  private final BundleTensors tensors;
  private final DecoderStudent student;
  private final Map<String, DecoderSubnet> subnets = new LinkedHashMap<>();
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private final List<long[]> train; // windows of `window` tokens
  private final List<long[]> heldOut; // never trained on
  private final int rows;
  private final int threads;
  private final String dataSource;

  private DecoderTask(
      Path bundle,
      DecoderManifest manifest,
      LlamaConfig config,
      BundleTensors tensors,
      DecoderStudent student,
      List<long[]> train,
      List<long[]> heldOut,
      int rows,
      int threads,
      String dataSource) {
    this.manifest = manifest;
    this.tensors = tensors;
    this.student = student;
    this.train = train;
    this.heldOut = heldOut;
    this.rows = rows;
    this.threads = threads;
    this.dataSource = dataSource;
    for (DecoderManifest.Subnet s : manifest.subnets()) {
      subnets.put(s.name(), s.spec());
    }
    for (String key : keys(config)) {
      shapes.put(key, student.shapeOf(key));
    }
  }

  /**
   * Opens {@code bundle} with its data.
   *
   * @param texts training text, documents separated by blank lines; the last tenth of the documents
   *     (at most {@code maxHeldOut} windows) is held out. Empty: the teacher samples the data.
   */
  static DecoderTask open(
      Path bundle,
      DecoderManifest manifest,
      List<String> texts,
      int window,
      int rows,
      int maxHeldOut,
      long seed,
      int threads)
      throws IOException {
    if (manifest.compression() != null) {
      throw new IllegalArgumentException(
          "bundle "
              + bundle
              + " is compressed ("
              + manifest.compression().describe()
              + "): distill the uncompressed bundle, then compress");
    }
    LlamaConfig config;
    try {
      config = manifest.llamaConfig();
    } catch (CheckpointException e) {
      throw new IllegalArgumentException("bundle " + bundle + ": " + e.getMessage());
    }
    if (window < 2 || window > config.maxPositions()) {
      throw new IllegalArgumentException(
          "--window " + window + " outside 2.." + config.maxPositions());
    }
    DecoderManifest.Subnet full = manifest.subnets().get(0);
    BundleTensors tensors =
        BundleTensors.of(bundle.resolve(full.graph()), bundle.resolve(manifest.weights()));
    Map<String, float[]> rope =
        tensors.read(bundle.resolve(manifest.weights()), List.of("rope.cos", "rope.sin"));
    DecoderStudent student = new DecoderStudent(config, rope.get("rope.cos"), rope.get("rope.sin"));
    List<long[]> train;
    List<long[]> held;
    String source;
    if (texts.isEmpty()) {
      try (DecoderTokenizer tokenizer =
          DecoderTokenizer.load(bundle.resolve(manifest.tokenizer()))) {
        long[] start = tokenizer.encode("");
        if (start.length == 0) {
          throw new IllegalArgumentException(
              "the tokenizer adds no BOS token to start teacher samples from: give --text");
        }
        Map<String, float[]> values =
            tensors.read(bundle.resolve(manifest.weights()), keys(config));
        TeacherSamples samples =
            new TeacherSamples(
                new DecoderStudent(config, rope.get("rope.cos"), rope.get("rope.sin")),
                full.spec(),
                values);
        train = samples.generate(start[0], Math.max(rows * 16, 64), window, seed);
        held = samples.generate(start[0], maxHeldOut, window, seed ^ 0x5DEECE66DL);
      }
      source = "teacher samples";
    } else {
      String[] docs;
      try (DecoderTokenizer tokenizer =
          DecoderTokenizer.load(bundle.resolve(manifest.tokenizer()))) {
        docs = String.join("\n\n", texts).split("\\n\\s*\\n");
        int cut = docs.length - Math.max(1, docs.length / 10);
        train =
            CalibrationText.windows(
                String.join("\n\n", java.util.Arrays.copyOfRange(docs, 0, cut)), tokenizer, window);
        held =
            CalibrationText.windows(
                String.join("\n\n", java.util.Arrays.copyOfRange(docs, cut, docs.length)),
                tokenizer,
                window);
      }
      if (held.size() > maxHeldOut) {
        held = held.subList(0, maxHeldOut);
      }
      if (train.isEmpty() || held.isEmpty()) {
        throw new IllegalArgumentException(
            "the training text makes "
                + train.size()
                + " training and "
                + held.size()
                + " held-out windows of "
                + window
                + " tokens from "
                + docs.length
                + " documents: give more text or a smaller --window");
      }
      source = "text";
    }
    return new DecoderTask(
        bundle,
        manifest,
        config,
        tensors,
        student,
        List.copyOf(train),
        List.copyOf(held),
        rows,
        threads,
        source);
  }

  private static List<String> keys(LlamaConfig config) {
    List<String> keys = new java.util.ArrayList<>(List.of("embed", "lm_head", "norm"));
    for (int l = 0; l < config.layers(); l++) {
      for (String t :
          List.of("attn_norm", "q", "k", "v", "oT", "mlp_norm", "gate", "up", "downT")) {
        keys.add("l" + l + "." + t);
      }
    }
    return keys;
  }

  /** The forward pass this task trains with (the bundle's RoPE tables inside). */
  DecoderStudent student() {
    return student;
  }

  int trainWindows() {
    return train.size();
  }

  int heldOutWindows() {
    return heldOut.size();
  }

  String dataSource() {
    return dataSource;
  }

  @Override
  public List<String> menu() {
    return List.copyOf(subnets.keySet());
  }

  @Override
  public String smallest() {
    return manifest.subnets().stream()
        .min(Comparator.comparingLong(DecoderManifest.Subnet::weightBytesPerToken))
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
    // A tied LM head is the embedding: trained once, under "embed".
    return !(key.equals("lm_head") && tensors.sameBytes("embed", "lm_head"));
  }

  /** True when {@code lm_head} is the same tensor as {@code embed}. */
  boolean tied() {
    return tensors.sameBytes("embed", "lm_head");
  }

  @Override
  public Batch batch(long seed, int step) {
    Random random = new Random(seed * 1_000_003L + step);
    int window = train.get(0).length;
    long[] ids = new long[rows * window];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(train.get(random.nextInt(train.size())), 0, ids, r * window, window);
    }
    return new Batch(ids, null, rows, window, (long) rows * window);
  }

  @Override
  public NDArray loss(
      Map<String, NDArray> student,
      Map<String, NDArray> teacher,
      Batch batch,
      List<String> names,
      float largestWeight) {
    NDManager manager = student.get("embed").getManager();
    NDArray ids =
        OwnedArrays.of(manager, batch.ids(), new Shape(batch.rows(), batch.columns())); // [B, S]
    NDArray target = this.student.logits(teacher, subnets.get(menu().get(0)), ids); // [B, S, V]
    NDArray p = target.softmax(-1);
    NDArray logP = target.logSoftmax(-1);
    return weightedMean(
        names,
        largestWeight,
        name -> {
          NDArray logQ =
              this.student.logits(student, subnets.get(name), ids).logSoftmax(-1); // [B, S, V]
          return p.mul(logP.sub(logQ)).sum(new int[] {-1}).mean(); // KL(teacher ‖ student)
        });
  }

  @Override
  public Map<String, Double> measure(Path dir) throws Exception {
    Map<String, Double> out = new LinkedHashMap<>();
    try (ElasticDecoder decoder =
        ElasticDecoder.load(dir, SessionConfig.cpu(threads), name -> true)) {
      for (DecoderManifest.Subnet s : decoder.subnets()) {
        out.put(s.name(), Perplexity.ofWindows(decoder.session(s.name()), heldOut));
      }
    }
    return out;
  }

  @Override
  public String measureName() {
    return "perplexity on "
        + heldOut.size()
        + " held-out windows of "
        + heldOut.get(0).length
        + " tokens ("
        + dataSource
        + ")";
  }

  @Override
  public boolean lowerIsBetter() {
    return true;
  }

  @Override
  public void writeManifest(Path dir, Map<String, Double> quality, Distillation distillation)
      throws IOException {
    DecoderManifest m = manifest;
    List<DecoderManifest.Subnet> updated =
        m.subnets().stream()
            .map(s -> s.withPerplexity(quality.getOrDefault(s.name(), s.perplexity())))
            .toList();
    new DecoderManifest(
            m.format(),
            m.version(),
            m.name(),
            m.source(),
            m.config(),
            m.weights(),
            m.tokenizer(),
            m.calibration(),
            m.latency(),
            updated,
            m.blockImportance(),
            m.compression(),
            distillation)
        .write(dir);
  }

  @Override
  public void close() {}
}
