package io.flexserve.models.encoder;

import ai.onnxruntime.OrtException;
import io.flexserve.models.Progress;
import io.flexserve.models.importance.Importance;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.EncoderTokenizer;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.StagedDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a dense BERT-family encoder (ONNX export + tokenizer.json) into an elastic bundle (see
 * {@link EncoderManifest}).
 *
 * <pre>
 *   1. import      dense weights from the ONNX export
 *   2. rank        run a probe graph of the full model over calibration sentences → neuron, head, block importance
 *   3. permute     heads and neurons into importance order (same function, nested prefixes)
 *   4. write       weights.bin once + one graph per sub-network
 *   5. measure     each sub-network's fidelity to full on validation sentences
 * </pre>
 *
 * The bundle is assembled in a sibling staging directory and moved into place at the end, so a
 * crash never leaves a half-written bundle where a server would load it.
 */
public final class ElasticEncoderConverter {
  private ElasticEncoderConverter() {}

  /** A dense encoder to convert. Streams are opened when needed and closed by the converter. */
  public interface Source {
    String name();

    String description();

    InputStream openOnnx() throws IOException;

    InputStream openTokenizerJson() throws IOException;

    int heads();

    int maxSequenceLength();
  }

  /**
   * Converts {@code source} into a bundle at {@code outDir} (replacing whatever is there).
   *
   * @param plans the sub-networks to build, given the imported model's shape; the first must be the
   *     full model
   * @return the manifest written
   */
  public static EncoderManifest convert(
      Source source,
      List<String> calibration,
      List<String> validation,
      Function<EncoderConfig, List<SubnetPlan>> plans,
      Path outDir,
      SessionConfig sessions,
      Progress progress)
      throws IOException, OrtException {
    if (calibration.isEmpty() || validation.isEmpty()) {
      throw new IllegalArgumentException("need calibration and validation sentences");
    }
    Path staging = StagedDirectory.create(outDir);
    try {
      // 1. import
      progress.update("import", 0, 1);
      EncoderWeights dense;
      try (InputStream in = source.openOnnx()) {
        dense = MiniLmImporter.read(in, source.heads(), source.maxSequenceLength());
      }
      try (InputStream in = source.openTokenizerJson()) {
        Files.copy(in, staging.resolve("tokenizer.json"));
      }
      progress.update("import", 1, 1);
      EncoderConfig config = dense.config();
      try (EncoderTokenizer tokenizer =
          EncoderTokenizer.load(staging.resolve("tokenizer.json"), config.maxSequenceLength())) {
        // 2. rank
        Importance importance = rank(dense, tokenizer, calibration, staging, sessions, progress);
        double[] blocks = importance.blockScores();
        int[][] headOrder = new int[config.layers()][];
        int[][] neuronOrder = new int[config.layers()][];
        for (int l = 0; l < config.layers(); l++) {
          headOrder[l] = Importance.descendingOrder(importance.headScores(l));
          neuronOrder[l] = Importance.descendingOrder(importance.neuronScores(l));
        }

        // 3. permute, 4. write
        EncoderWeights nested = Permutation.apply(dense, headOrder, neuronOrder);
        WeightLayout layout = EncoderWeightFile.write(nested, staging.resolve("weights.bin"));
        List<EncoderSubnet> subnets = new ArrayList<>();
        for (SubnetPlan plan : plans.apply(config)) {
          EncoderSubnet subnet = plan.resolve(config, blocks);
          Files.write(
              staging.resolve(subnet.name() + ".onnx"),
              EncoderGraph.build(config, subnet, layout, false).toByteArray());
          subnets.add(subnet);
        }

        // 5. measure
        double[] quality =
            fidelity(staging, config, subnets, tokenizer, validation, sessions, progress);
        List<EncoderManifest.Subnet> entries = new ArrayList<>();
        for (int i = 0; i < subnets.size(); i++) {
          EncoderSubnet s = subnets.get(i);
          entries.add(
              new EncoderManifest.Subnet(
                  s.name(),
                  s.name() + ".onnx",
                  s.layers(),
                  s.heads(),
                  s.mlpWidth(),
                  s.relativeBlockSize(config),
                  quality[i]));
        }
        List<Double> blockList = java.util.Arrays.stream(blocks).boxed().toList();
        EncoderManifest manifest =
            new EncoderManifest(
                EncoderManifest.FORMAT,
                EncoderManifest.VERSION,
                source.name(),
                source.description(),
                config,
                "weights.bin",
                "tokenizer.json",
                entries,
                blockList);
        manifest.write(staging);
        StagedDirectory.publish(staging, outDir);
        return manifest;
      }
    } finally {
      StagedDirectory.deleteRecursively(staging);
    }
  }

  private static Importance rank(
      EncoderWeights dense,
      EncoderTokenizer tokenizer,
      List<String> calibration,
      Path staging,
      SessionConfig sessions,
      Progress progress)
      throws IOException, OrtException {
    EncoderConfig config = dense.config();
    WeightLayout layout = EncoderWeightFile.write(dense, staging.resolve("dense-weights.bin"));
    Path probeGraph = staging.resolve("probe.onnx");
    Files.write(
        probeGraph,
        EncoderGraph.build(config, EncoderSubnet.full(config), layout, true).toByteArray());
    Importance importance =
        new Importance(config.layers(), config.heads(), config.headDim(), config.intermediate());
    MappedWeights weights = MappedWeights.map(staging.resolve("dense-weights.bin"));
    try (EncoderSession probe =
        EncoderSession.open(probeGraph, weights, sessions, config.hidden())) {
      for (int i = 0; i < calibration.size(); i++) {
        // one input per run: no padding, so every token counts in the means
        TokenBatch batch = tokenizer.encodeBatch(List.of(calibration.get(i)));
        Map<String, float[]> out = probe.runAll(batch);
        for (int l = 0; l < config.layers(); l++) {
          String p = "probe.l" + l + ".";
          importance.add(
              l,
              batch.sequence(),
              out.get(p + "mlp"),
              out.get(p + "heads"),
              out.get(p + "in"),
              out.get(p + "out"));
        }
        importance.inputDone();
        progress.update("rank", i + 1, calibration.size());
      }
    }
    Files.delete(probeGraph);
    Files.delete(staging.resolve("dense-weights.bin"));
    return importance;
  }

  /** Mean cosine similarity of each sub-network's embeddings to the first (full) sub-network's. */
  private static double[] fidelity(
      Path bundle,
      EncoderConfig config,
      List<EncoderSubnet> subnets,
      EncoderTokenizer tokenizer,
      List<String> validation,
      SessionConfig sessions,
      Progress progress)
      throws IOException, OrtException {
    MappedWeights weights = MappedWeights.map(bundle.resolve("weights.bin"));
    float[][][] embeddings = new float[subnets.size()][][];
    for (int i = 0; i < subnets.size(); i++) {
      try (EncoderSession session =
          EncoderSession.open(
              bundle.resolve(subnets.get(i).name() + ".onnx"),
              weights,
              sessions,
              config.hidden())) {
        embeddings[i] = embedAll(session, tokenizer, validation);
      }
      progress.update("measure", i + 1, subnets.size());
    }
    double[] quality = new double[subnets.size()];
    for (int i = 0; i < subnets.size(); i++) {
      quality[i] = Embeddings.meanCosine(embeddings[i], embeddings[0]);
    }
    return quality;
  }

  /**
   * Embeds {@code texts} in batches of 16 (similar lengths are not grouped: conversion is not
   * latency-critical).
   */
  public static float[][] embedAll(
      EncoderSession session, EncoderTokenizer tokenizer, List<String> texts) throws OrtException {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += 16) {
      List<String> chunk = texts.subList(from, Math.min(texts.size(), from + 16));
      float[][] e = session.embed(tokenizer.encodeBatch(chunk));
      System.arraycopy(e, 0, out, from, e.length);
    }
    return out;
  }
}
