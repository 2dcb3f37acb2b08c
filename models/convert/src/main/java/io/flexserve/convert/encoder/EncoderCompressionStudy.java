package io.flexserve.convert.encoder;

import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.compress.Eora;
import io.flexserve.convert.compress.Gram;
import io.flexserve.convert.compress.LowRankFactors;
import io.flexserve.convert.compress.SemiStructuredPruner;
import io.flexserve.models.Progress;
import io.flexserve.models.encoder.ElasticEncoderConverter;
import io.flexserve.models.encoder.Embeddings;
import io.flexserve.models.encoder.EncoderConfig;
import io.flexserve.models.encoder.EncoderGraph;
import io.flexserve.models.encoder.EncoderSession;
import io.flexserve.models.encoder.EncoderSubnet;
import io.flexserve.models.encoder.EncoderWeightFile;
import io.flexserve.models.encoder.EncoderWeights;
import io.flexserve.models.encoder.MiniLmImporter;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.EncoderTokenizer;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.RowMajor;
import io.flexserve.models.weights.StagedDirectory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cosine fidelity of compressed encoders to the dense one: each compression of the six linear
 * layers of every block (q, k, v, o, up, down), without and with plain-SVD / EoRA compensation per
 * rank, as the mean and the least cosine similarity of sentence embeddings on held-out sentences.
 * Compensated layers are evaluated as the merged W_c + B_r·A_r. Calibration statistics come from
 * one sentence per run (no padding rows in XᵀX).
 */
public final class EncoderCompressionStudy {
  private EncoderCompressionStudy() {}

  /**
   * One row: the compression, its compensation ({@code none | svd | eora}) and rank, and fidelity
   * to dense.
   */
  public record Row(
      String weights, String compensation, int rank, double meanCosine, double minCosine) {}

  /**
   * The linear layers of a block: stored tensor (HF orientation or transposed) and the probe output
   * that is its input.
   */
  private enum Linear {
    Q("probe.l%d.in"),
    K("probe.l%d.in"),
    V("probe.l%d.in"),
    O("probe.l%d.heads"),
    UP("probe.l%d.mlp_in"),
    DOWN("probe.l%d.mlp");

    final String input;

    Linear(String input) {
      this.input = input;
    }

    int out(EncoderConfig c) {
      return this == UP ? c.intermediate() : c.hidden();
    }

    int in(EncoderConfig c) {
      return this == DOWN ? c.intermediate() : c.hidden();
    }

    /** W {@code [out, in]}: qT, kT, vT and upT are stored so; o and down are stored transposed. */
    float[] weight(EncoderWeights.Layer b, EncoderConfig c) {
      switch (this) {
        case Q:
          return b.qT();
        case K:
          return b.kT();
        case V:
          return b.vT();
        case UP:
          return b.upT();
        case O:
          return RowMajor.transpose(b.o(), in(c), out(c));
        default:
          return RowMajor.transpose(b.down(), in(c), out(c));
      }
    }

    EncoderWeights.Layer with(EncoderWeights.Layer b, float[] w, EncoderConfig c) {
      float[] stored = this == O || this == DOWN ? RowMajor.transpose(w, out(c), in(c)) : w;
      return new EncoderWeights.Layer(
          this == Q ? stored : b.qT(),
          b.q(),
          this == K ? stored : b.kT(),
          b.k(),
          this == V ? stored : b.vT(),
          b.v(),
          this == O ? stored : b.o(),
          b.oBias(),
          b.attnNormScale(),
          b.attnNormBias(),
          this == UP ? stored : b.upT(),
          b.upBias(),
          this == DOWN ? stored : b.down(),
          b.downBias(),
          b.outNormScale(),
          b.outNormBias());
    }
  }

  public static List<Row> run(
      ElasticEncoderConverter.Source source,
      List<String> calibration,
      List<String> validation,
      List<CompressionPlan> plans,
      List<Integer> ranks,
      SessionConfig sessions,
      Progress progress)
      throws Exception {
    Path work =
        StagedDirectory.create(
            Files.createTempDirectory("flexserve-encoder-study").resolve("work"));
    EncoderWeights dense;
    try (InputStream in = source.openOnnx()) {
      dense = MiniLmImporter.read(in, source.heads(), source.maxSequenceLength());
    }
    EncoderConfig c = dense.config();
    try (InputStream json = source.openTokenizerJson();
        EncoderTokenizer tokenizer = EncoderTokenizer.load(json, c.maxSequenceLength())) {
      // statistics of every linear input: grams[layer][linear]
      Gram[][] grams = new Gram[c.layers()][Linear.values().length];
      for (int l = 0; l < c.layers(); l++) {
        for (Linear linear : Linear.values()) {
          grams[l][linear.ordinal()] = new Gram(linear.in(c));
        }
      }
      withSession(
          dense,
          true,
          work,
          sessions,
          probe -> {
            for (int i = 0; i < calibration.size(); i++) {
              TokenBatch batch = tokenizer.encodeBatch(List.of(calibration.get(i)));
              Map<String, float[]> out = probe.runAll(batch);
              for (int l = 0; l < c.layers(); l++) {
                for (Linear linear : Linear.values()) {
                  grams[l][linear.ordinal()].add(
                      out.get(String.format(linear.input, l)), batch.sequence());
                }
              }
              progress.update("calibrate", i + 1, calibration.size());
            }
            return null;
          });
      float[][] reference =
          withSession(
              dense,
              false,
              work,
              sessions,
              s -> ElasticEncoderConverter.embedAll(s, tokenizer, validation));
      // the eigenspaces depend on the activations only: one per distinct input, shared by every
      // compression
      Eora.Basis[][] bases = new Eora.Basis[c.layers()][Linear.values().length];
      for (int l = 0; l < c.layers(); l++) {
        for (Linear linear : Linear.values()) {
          bases[l][linear.ordinal()] =
              linear.ordinal() > 0 && linear.ordinal() <= Linear.V.ordinal()
                  ? bases[l][Linear.Q.ordinal()]
                  : Eora.basis(grams[l][linear.ordinal()]);
        }
        progress.update("eigenspaces", l + 1, c.layers());
      }
      List<Row> rows = new ArrayList<>();
      int maxRank = ranks.stream().mapToInt(Integer::intValue).max().orElse(0);
      int total = plans.size() * (1 + 2 * ranks.size());
      for (CompressionPlan plan : plans) {
        EncoderWeights compressed = compress(dense, plan, grams);
        rows.add(
            row(
                plan.describe(),
                "none",
                0,
                reference,
                withSession(
                    compressed,
                    false,
                    work,
                    sessions,
                    s -> ElasticEncoderConverter.embedAll(s, tokenizer, validation))));
        progress.update("evaluate", rows.size(), total);
        for (CompressionPlan.Compensation fit : CompressionPlan.Compensation.values()) {
          List<LowRankFactors[]> factors = factors(dense, compressed, bases, fit, maxRank);
          for (int r : ranks) {
            EncoderWeights merged = merged(compressed, factors, r);
            rows.add(
                row(
                    plan.describe(),
                    fit.label(),
                    r,
                    reference,
                    withSession(
                        merged,
                        false,
                        work,
                        sessions,
                        s -> ElasticEncoderConverter.embedAll(s, tokenizer, validation))));
            progress.update("evaluate", rows.size(), total);
          }
        }
      }
      return rows;
    } finally {
      StagedDirectory.deleteRecursively(work.getParent());
    }
  }

  private static Row row(
      String weights, String fit, int rank, float[][] reference, float[][] embeddings) {
    double min = 1;
    for (int i = 0; i < reference.length; i++) {
      min = Math.min(min, Embeddings.cosine(embeddings[i], reference[i]));
    }
    return new Row(weights, fit, rank, Embeddings.meanCosine(embeddings, reference), min);
  }

  private static EncoderWeights compress(
      EncoderWeights dense, CompressionPlan plan, Gram[][] grams) {
    EncoderConfig c = dense.config();
    List<EncoderWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      EncoderWeights.Layer b = dense.layers().get(l);
      for (Linear linear : Linear.values()) {
        float[] w = linear.weight(b, c);
        boolean[] keep = null;
        if (plan.pruning() == CompressionPlan.Pruning.MAGNITUDE
            || plan.pruning() == CompressionPlan.Pruning.WANDA) {
          keep =
              SemiStructuredPruner.mask(
                  w,
                  linear.out(c),
                  linear.in(c),
                  plan.pruning() == CompressionPlan.Pruning.WANDA
                      ? grams[l][linear.ordinal()].columnNorms()
                      : null);
        }
        b = linear.with(b, plan.compress(w, linear.out(c), linear.in(c), keep), c);
      }
      layers.add(b);
    }
    return new EncoderWeights(
        c,
        dense.wordEmbeddings(),
        dense.positionEmbeddings(),
        dense.tokenType0(),
        dense.embNormScale(),
        dense.embNormBias(),
        layers);
  }

  private static List<LowRankFactors[]> factors(
      EncoderWeights dense,
      EncoderWeights compressed,
      Eora.Basis[][] bases,
      CompressionPlan.Compensation fit,
      int rank) {
    EncoderConfig c = dense.config();
    List<LowRankFactors[]> out = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      LowRankFactors[] perLinear = new LowRankFactors[Linear.values().length];
      for (Linear linear : Linear.values()) {
        float[] w = linear.weight(dense.layers().get(l), c);
        float[] wc = linear.weight(compressed.layers().get(l), c);
        float[] delta = new float[w.length];
        for (int i = 0; i < w.length; i++) {
          delta[i] = w[i] - wc[i];
        }
        if (fit == CompressionPlan.Compensation.SVD) {
          perLinear[linear.ordinal()] = Eora.svd(delta, linear.out(c), linear.in(c), rank);
        } else {
          perLinear[linear.ordinal()] =
              Eora.eora(delta, linear.out(c), linear.in(c), bases[l][linear.ordinal()], rank);
        }
      }
      out.add(perLinear);
    }
    return out;
  }

  private static EncoderWeights merged(
      EncoderWeights compressed, List<LowRankFactors[]> factors, int r) {
    EncoderConfig c = compressed.config();
    List<EncoderWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      EncoderWeights.Layer b = compressed.layers().get(l);
      for (Linear linear : Linear.values()) {
        b = linear.with(b, factors.get(l)[linear.ordinal()].mergedInto(linear.weight(b, c), r), c);
      }
      layers.add(b);
    }
    return new EncoderWeights(
        c,
        compressed.wordEmbeddings(),
        compressed.positionEmbeddings(),
        compressed.tokenType0(),
        compressed.embNormScale(),
        compressed.embNormBias(),
        layers);
  }

  private interface SessionWork<T> {
    T run(EncoderSession session) throws Exception;
  }

  /**
   * Opens the full encoder of {@code weights} through scratch files in {@code dir}, runs {@code
   * work}, deletes them.
   */
  private static <T> T withSession(
      EncoderWeights weights, boolean probes, Path dir, SessionConfig sessions, SessionWork<T> work)
      throws Exception {
    EncoderConfig c = weights.config();
    Path file = dir.resolve("scratch-weights.bin");
    Path graph = dir.resolve("scratch.onnx");
    WeightLayout layout = EncoderWeightFile.write(weights, file);
    Files.write(graph, EncoderGraph.build(c, EncoderSubnet.full(c), layout, probes).toByteArray());
    try (EncoderSession session =
        EncoderSession.open(graph, MappedWeights.map(file), sessions, c.hidden())) {
      return work.run(session);
    } finally {
      Files.deleteIfExists(graph);
      Files.deleteIfExists(file);
    }
  }
}
