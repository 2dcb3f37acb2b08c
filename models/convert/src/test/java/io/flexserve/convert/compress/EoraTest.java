package io.flexserve.convert.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;

public class EoraTest {
  /** Activations with very unequal scales and correlated inputs, as real hidden states have. */
  static float[] activations(Random random, int tokens, int in) {
    float[] mix = new float[in * in];
    for (int i = 0; i < mix.length; i++) {
      mix[i] = (float) random.nextGaussian();
    }
    float[] x = new float[tokens * in];
    for (int t = 0; t < tokens; t++) {
      double[] z = new double[in];
      for (int i = 0; i < in; i++) {
        z[i] = random.nextGaussian() * Math.pow(0.85, i);
      }
      for (int j = 0; j < in; j++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          s += z[i] * mix[i * in + j];
        }
        x[t * in + j] = (float) s;
      }
    }
    return x;
  }

  public static float[] gaussian(Random random, int n) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) random.nextGaussian();
    }
    return w;
  }

  /** ‖(ΔW − B·A)·Xᵀ‖²_F. */
  static double outputError(
      float[] delta, float[] product, float[] x, int out, int in, int tokens) {
    double sum = 0;
    for (int t = 0; t < tokens; t++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          s += (delta[o * in + i] - product[o * in + i]) * x[t * in + i];
        }
        sum += s * s;
      }
    }
    return sum;
  }

  /**
   * Eckart–Young: the least ‖(ΔW − M)Xᵀ‖² over rank-r M is the sum of σ_i(ΔW·Xᵀ)² beyond the r-th.
   */
  static double closedFormMinimum(float[] delta, float[] x, int out, int in, int tokens, int r) {
    DMatrixRMaj dw = new DMatrixRMaj(out, in);
    DMatrixRMaj xm = new DMatrixRMaj(tokens, in);
    for (int i = 0; i < delta.length; i++) {
      dw.data[i] = delta[i];
    }
    for (int i = 0; i < x.length; i++) {
      xm.data[i] = x[i];
    }
    DMatrixRMaj m = new DMatrixRMaj(out, tokens);
    CommonOps_DDRM.multTransB(dw, xm, m);
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(out, tokens, false, false, true);
    assertTrue(svd.decompose(m));
    double[] s = svd.getSingularValues().clone();
    java.util.Arrays.sort(s);
    double sum = 0;
    for (int i = 0; i < s.length - r; i++) {
      sum += s[i] * s[i];
    }
    return sum;
  }

  static Gram gram(float[] x, int tokens, int in) {
    Gram g = new Gram(in);
    g.add(x, tokens);
    return g;
  }

  @Test
  void eora_matchesClosedFormMinimum_andBeatsPlainSvd() {
    Random random = new Random(1);
    int out = 24;
    int in = 32;
    int tokens = 200;
    float[] x = activations(random, tokens, in);
    float[] delta = gaussian(random, out * in);
    Eora.Basis basis = Eora.basis(gram(x, tokens, in));
    for (int r : new int[] {1, 4, 8, 16}) {
      double eora =
          outputError(delta, Eora.eora(delta, out, in, basis, r).product(r), x, out, in, tokens);
      double svd = outputError(delta, Eora.svd(delta, out, in, r).product(r), x, out, in, tokens);
      double best = closedFormMinimum(delta, x, out, in, tokens, r);
      assertEquals(
          best, eora, best * 1e-3 + 1e-6, "rank " + r + ": EoRA is the closed-form minimum");
      assertTrue(
          eora <= svd, "rank " + r + ": EoRA " + eora + " must not be worse than SVD " + svd);
      assertTrue(
          eora < 0.9 * svd,
          "rank " + r + ": on anisotropic inputs EoRA is clearly better: " + eora + " vs " + svd);
    }
  }

  @Test
  void plainSvd_isTheFrobeniusOptimum() {
    Random random = new Random(2);
    int out = 20;
    int in = 12;
    float[] delta = gaussian(random, out * in);
    LowRankFactors f = Eora.svd(delta, out, in, 3);
    // the identity "activations" make the output error the plain Frobenius error
    float[] eye = new float[in * in];
    for (int i = 0; i < in; i++) {
      eye[i * in + i] = 1;
    }
    double err = outputError(delta, f.product(3), eye, out, in, in);
    assertEquals(closedFormMinimum(delta, eye, out, in, in, 3), err, 1e-3);
  }

  @Test
  void ranks_areNested_prefixOfLargerRankIsTheSmallerFit() {
    Random random = new Random(3);
    int out = 16;
    int in = 20;
    float[] x = activations(random, 100, in);
    float[] delta = gaussian(random, out * in);
    Eora.Basis basis = Eora.basis(gram(x, 100, in));
    LowRankFactors big = Eora.eora(delta, out, in, basis, 8);
    LowRankFactors small = Eora.eora(delta, out, in, basis, 4);
    assertArrayEquals(small.product(4), big.product(4), 1e-4f);
    double prev = Double.MAX_VALUE;
    for (int r = 0; r <= 8; r++) {
      double e = outputError(delta, big.product(r), x, out, in, 100);
      assertTrue(e <= prev + 1e-6, "error must not grow with rank: r=" + r);
      prev = e;
    }
  }

  @Test
  void rankDeficientActivations_clampKeepsFactorsFinite() {
    Random random = new Random(4);
    int out = 8;
    int in = 16;
    int tokens = 5; // fewer tokens than inputs: C has 11 zero eigenvalues
    float[] x = activations(random, tokens, in);
    float[] delta = gaussian(random, out * in);
    LowRankFactors f = Eora.eora(delta, out, in, Eora.basis(gram(x, tokens, in)), 4);
    for (float v : f.a()) {
      assertTrue(Float.isFinite(v));
    }
    assertTrue(
        outputError(delta, f.product(4), x, out, in, tokens)
            <= outputError(delta, Eora.svd(delta, out, in, 4).product(4), x, out, in, tokens)
                + 1e-3);
  }

  @Test
  void randomizedPath_onLargeLayers_isCloseToTheOptimum() {
    Random random = new Random(5);
    int out = 300;
    int in = 272;
    int tokens = 400;
    float[] x = activations(random, tokens, in);
    float[] delta = gaussian(random, out * in);
    int r = 8;
    double eora =
        outputError(
            delta,
            Eora.eora(delta, out, in, Eora.basis(gram(x, tokens, in)), r).product(r),
            x,
            out,
            in,
            tokens);
    double best = closedFormMinimum(delta, x, out, in, tokens, r);
    assertTrue(eora <= best * 1.01, "randomized EoRA " + eora + " vs optimum " + best);
  }
}
