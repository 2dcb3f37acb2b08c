package io.flexserve.models.importance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Activation-based importance of every MLP neuron, attention head and block (Minitron §2):
 *
 * <ul>
 *   <li>neuron j of block l: for each calibration input, the mean over its tokens of |a_j| (a = MLP
 *       activation); aggregated over inputs by the L2 norm;
 *   <li>head i: for each input, the mean over tokens of the L2 norm of the head's attention output;
 *       L2 over inputs;
 *   <li>block: block importance 1 − cos(h_in, h_out), averaged over tokens and inputs (a block that
 *       barely changes the residual stream is the first to skip).
 * </ul>
 *
 * Mutable accumulator: feed one input at a time from one thread, then read the scores.
 */
public final class Importance {
  private final int hd;
  private final double[][] neuronSq; // [layer][F]  Σ_inputs (mean_tokens |a|)²
  private final double[][] headSq; // [layer][heads]
  private final double[] blockSum; // [layer]  Σ_inputs mean_tokens (1 − cos)
  private int inputs;

  /**
   * Scores for a model of {@code layers} blocks, each with {@code heads} heads of width {@code
   * headDim} and {@code mlpWidth} neurons.
   */
  public Importance(int layers, int heads, int headDim, int mlpWidth) {
    this.hd = headDim;
    this.neuronSq = new double[layers][mlpWidth];
    this.headSq = new double[layers][heads];
    this.blockSum = new double[layers];
  }

  /**
   * Adds one input's probe activations for block {@code layer}: {@code mlp [S, F]}, {@code heads
   * [S, heads·hd]}, {@code in} and {@code out} {@code [S, H]}, all for a single unpadded input of S
   * tokens.
   */
  public void add(int layer, int tokens, float[] mlp, float[] heads, float[] in, float[] out) {
    int f = neuronSq[layer].length;
    double[] meanAbs = new double[f];
    for (int s = 0; s < tokens; s++) {
      for (int j = 0; j < f; j++) {
        meanAbs[j] += Math.abs(mlp[s * f + j]);
      }
    }
    for (int j = 0; j < f; j++) {
      double m = meanAbs[j] / tokens;
      neuronSq[layer][j] += m * m;
    }
    int nh = headSq[layer].length;
    double[] meanNorm = new double[nh];
    for (int s = 0; s < tokens; s++) {
      for (int i = 0; i < nh; i++) {
        double sq = 0;
        for (int d = 0; d < hd; d++) {
          float v = heads[(s * nh + i) * hd + d];
          sq += v * v;
        }
        meanNorm[i] += Math.sqrt(sq);
      }
    }
    for (int i = 0; i < nh; i++) {
      double m = meanNorm[i] / tokens;
      headSq[layer][i] += m * m;
    }
    int h = in.length / tokens;
    double bi = 0;
    for (int s = 0; s < tokens; s++) {
      bi += 1 - cosine(in, out, s * h, h);
    }
    blockSum[layer] += bi / tokens;
  }

  /** Call once per calibration input, after its blocks were added. */
  public void inputDone() {
    inputs++;
  }

  public double[] neuronScores(int layer) {
    return Arrays.stream(neuronSq[layer]).map(Math::sqrt).toArray();
  }

  public double[] headScores(int layer) {
    return Arrays.stream(headSq[layer]).map(Math::sqrt).toArray();
  }

  /**
   * Scores of grouped-query-attention groups: group k owns heads k·g … k·g+g−1 (they share one
   * key/value head, so they are kept or pruned together); its score is the sum of theirs.
   */
  public double[] groupScores(int layer, int groupSize) {
    double[] heads = headScores(layer);
    double[] groups = new double[heads.length / groupSize];
    for (int i = 0; i < heads.length; i++) {
      groups[i / groupSize] += heads[i];
    }
    return groups;
  }

  /** Mean block importance per layer. */
  public double[] blockScores() {
    if (inputs == 0) {
      throw new IllegalStateException("no calibration inputs were added");
    }
    return Arrays.stream(blockSum).map(v -> v / inputs).toArray();
  }

  /** Indices of {@code scores} from most to least important (ties keep the original order). */
  public static int[] descendingOrder(double[] scores) {
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /**
   * The {@code keep} most important blocks, ascending by index: the layers a depth-reduced
   * sub-network runs.
   */
  public static List<Integer> keptLayers(double[] blockScores, int keep) {
    int[] order = descendingOrder(blockScores);
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < keep; i++) {
      kept.add(order[i]);
    }
    kept.sort(null);
    return kept;
  }

  /** Cosine similarity of {@code a[from, from+n)} and {@code b[from, from+n)}. */
  public static double cosine(float[] a, float[] b, int from, int n) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = from; i < from + n; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.max(Math.sqrt(na * nb), 1e-30);
  }
}
