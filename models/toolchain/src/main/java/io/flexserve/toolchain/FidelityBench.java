package io.flexserve.toolchain;

import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.Embeddings;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.TokenBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code flexserve bench fidelity}: for each sub-network, mean (and worst) cosine similarity of its
 * embeddings to the full model's on held-out sentences, and its latency relative to full for one
 * 128-token input (median of interleaved runs, all in this one process).
 */
@Command(
    name = "fidelity",
    description =
        "Per sub-network: cosine to full on held-out sentences, latency relative to full at 128 tokens.")
final class FidelityBench implements Callable<Integer> {
  @Mixin BundleOptions bundle;

  @Option(
      names = "--sentences",
      required = true,
      description = "Text file of held-out sentences (split on sentence ends).")
  Path sentences;

  @Option(names = "--limit", defaultValue = "300", description = "Sentences to use (at least 200).")
  int limit;

  @Option(
      names = "--runs",
      defaultValue = "50",
      description = "Timed runs per sub-network for the latency ratio.")
  int runs;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime intra-op threads (0 = all cores).")
  int threads;

  @Override
  public Integer call() throws Exception {
    List<String> texts = BenchSupport.sentences(sentences, limit);
    if (texts.size() < 200) {
      System.err.println(
          "need at least 200 held-out sentences, found " + texts.size() + " in " + sentences);
      return 2;
    }
    try (ElasticEncoder encoder =
        ElasticEncoder.load(bundle.resolve(), SessionConfig.cpu(threads), s -> true)) {
      List<EncoderManifest.Subnet> subnets = encoder.subnets();
      float[][][] emb = new float[subnets.size()][][];
      try (ProgressBar bar = new ProgressBar("embed", (long) subnets.size() * texts.size())) {
        for (int i = 0; i < subnets.size(); i++) {
          emb[i] = new float[texts.size()][];
          for (int j = 0; j < texts.size(); j++) {
            emb[i][j] =
                encoder
                    .embed(
                        subnets.get(i).name(),
                        encoder.tokenizer().encodeBatch(List.of(texts.get(j))))[0];
            bar.step();
          }
        }
      }
      double[] median = latency128(encoder, subnets);
      System.out.printf(
          "%nfidelity to full on %d held-out sentences; latency for one 128-token input (median of %d runs)%n",
          texts.size(), runs);
      System.out.printf(
          "%-18s %6s %6s %6s %10s %10s %11s %10s%n",
          "subnet", "layers", "heads", "mlp", "mean_cos", "min_cos", "latency_ms", "vs_full");
      for (int i = 0; i < subnets.size(); i++) {
        EncoderManifest.Subnet s = subnets.get(i);
        double min = 1;
        for (int j = 0; j < texts.size(); j++) {
          min = Math.min(min, Embeddings.cosine(emb[i][j], emb[0][j]));
        }
        System.out.printf(
            "%-18s %6d %6d %6d %10.4f %10.4f %11.2f %9.2fx%n",
            s.name(),
            s.layers().size(),
            s.heads(),
            s.mlpWidth(),
            Embeddings.meanCosine(emb[i], emb[0]),
            min,
            median[i],
            median[i] / median[0]);
      }
      int last = subnets.size() - 1;
      System.out.printf(
          "smallest (%s) is %.2fx faster than full%n",
          subnets.get(last).name(), median[0] / median[last]);
    }
    return 0;
  }

  private double[] latency128(ElasticEncoder encoder, List<EncoderManifest.Subnet> subnets)
      throws Exception {
    TokenBatch batch = TokenBatch.synthetic(1, 128);
    double[][] t = new double[subnets.size()][runs];
    for (int w = 0; w < 5; w++) {
      for (EncoderManifest.Subnet s : subnets) {
        encoder.embed(s.name(), batch);
      }
    }
    for (int r = 0; r < runs; r++) {
      for (int i = 0; i < subnets.size(); i++) {
        long start = System.nanoTime();
        encoder.embed(subnets.get(i).name(), batch);
        t[i][r] = (System.nanoTime() - start) / 1e6;
      }
    }
    double[] median = new double[subnets.size()];
    for (int i = 0; i < median.length; i++) {
      Arrays.sort(t[i]);
      median[i] = t[i][runs / 2];
    }
    return median;
  }
}
