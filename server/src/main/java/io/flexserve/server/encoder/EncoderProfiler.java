package io.flexserve.server.encoder;

import ai.onnxruntime.OrtException;
import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.text.TokenBatch;
import io.flexserve.router.LatencyCurve;
import io.flexserve.router.ModelMenu;
import io.flexserve.router.SubnetProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures each sub-network's latency on this machine at load time, as a function of input size
 * (padded tokens), and turns it into the router's {@link ModelMenu}. Each point is the p75 of
 * {@code repeats} timed runs after five warm-up rounds: robust to a few stray slow runs (GC, page
 * faults, a neighbour's burst) that would set a p90 of so few samples. The tail is the online
 * estimator's job: it corrects these curves by a p99 of observed runs.
 */
public final class EncoderProfiler {
  /**
   * (batch, sequence) shapes profiled: single inputs of growing length, then a small batch of long
   * inputs.
   */
  static final int[][] SHAPES = {{1, 8}, {1, 32}, {1, 128}, {1, 256}, {4, 256}};

  private static final double QUANTILE = 0.75;

  private EncoderProfiler() {}

  public static ModelMenu profile(ElasticEncoder encoder, int repeats) throws OrtException {
    int maxLength = encoder.manifest().config().maxSequenceLength();
    List<EncoderManifest.Subnet> subnets = encoder.subnets();
    List<TokenBatch> batches = new ArrayList<>();
    for (int[] shape : SHAPES) {
      batches.add(TokenBatch.synthetic(shape[0], Math.min(shape[1], maxLength)));
    }
    // Warm up every (sub-network, shape) first: the first runs of a new shape pay for arena growth.
    for (int w = 0; w < 5; w++) {
      for (EncoderManifest.Subnet s : subnets) {
        for (TokenBatch b : batches) {
          encoder.embed(s.name(), b);
        }
      }
    }
    // Timed runs round-robin over sub-networks, so drift (frequency scaling, a GC, other load) hits
    // all alike.
    double[][][] millis = new double[subnets.size()][batches.size()][repeats];
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < subnets.size(); i++) {
        for (int j = 0; j < batches.size(); j++) {
          long start = System.nanoTime();
          encoder.embed(subnets.get(i).name(), batches.get(j));
          millis[i][j][r] = (System.nanoTime() - start) / 1e6;
        }
      }
    }
    List<SubnetProfile> profiles = new ArrayList<>();
    for (int i = 0; i < subnets.size(); i++) {
      Map<Integer, double[]> samples = new LinkedHashMap<>();
      for (int j = 0; j < batches.size(); j++) {
        samples.put(batches.get(j).paddedTokens(), millis[i][j]);
      }
      EncoderManifest.Subnet s = subnets.get(i);
      profiles.add(
          new SubnetProfile(
              s.name(),
              s.relativeSize(),
              s.quality(),
              LatencyCurve.fromSamples(samples, QUANTILE)));
    }
    return ModelMenu.of(profiles);
  }
}
