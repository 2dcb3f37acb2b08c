package io.flexserve.convert.compress;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * EoRA (Liu et al., 2024, "EoRA: Training-free Compensation for Compressed LLM with Eigenspace
 * Low-Rank Approximation", arXiv:2410.21271): the rank-r factors B·A that minimise ‖(ΔW −
 * B·A)·Xᵀ‖_F, the error of the layer's outputs on calibration inputs X, rather than ‖ΔW − B·A‖_F
 * (plain SVD, {@link #svd}).
 *
 * <pre>
 *   C  = XᵀX / n = Q Λ Qᵀ            eigendecomposition; eigenvalues below λ_max·{@value #EIGEN_FLOOR} are clamped up
 *   Q' = Q Λ^{1/2}                    so that ‖(ΔW − BA)Xᵀ‖² = n·‖(ΔW − BA)Q'‖²
 *   ΔW Q' = U Σ Vᵀ                    truncated to rank r
 *   B  = U_r Σ_r^{1/2}                [out, r]
 *   A  = Σ_r^{1/2} V_rᵀ Q'^{-1}       [r, in], with Q'^{-1} = Λ^{-1/2} Qᵀ
 * </pre>
 *
 * By Eckart–Young the truncated SVD is the best rank-r approximation of ΔW·Q', hence B·A is the
 * best in the activation-weighted norm whenever C is positive definite. The clamp keeps Q'
 * invertible when calibration never excites some directions (fewer tokens than inputs, dead
 * features).
 *
 * <p>Cost: the eigendecomposition is O(in³), done once per distinct input ({@link Basis}, shared by
 * q/k/v and by gate/up). The SVD needs only the top r triplets: when min(out, in) is at most
 * {@value #EXACT_LIMIT} it is exact (full range of ΔW·Q'), otherwise a randomized range finder
 * (Halko, Martinsson &amp; Tropp, 2011, Alg. 4.4) with {@value #OVERSAMPLE} extra columns and
 * {@value #POWER_ITERATIONS} power iterations, which touches ΔW·Q' only through thin products and
 * never forms it.
 */
public final class Eora {
  static final double EIGEN_FLOOR = 1e-6;
  static final int EXACT_LIMIT = 256;
  static final int OVERSAMPLE = 16;
  static final int POWER_ITERATIONS = 4;

  private Eora() {}

  /**
   * The eigenspace of one input's activations: Q {@code [in, in]} and the clamped Λ^{1/2}, Λ^{-1/2}
   * {@code [in]}. Immutable; share it across the layers that read the same input.
   */
  public static final class Basis {
    final DMatrixRMaj q; // [in, in], columns are eigenvectors
    final double[] sqrtLambda; // [in]
    final double[] invSqrtLambda; // [in]

    private Basis(DMatrixRMaj q, double[] sqrtLambda, double[] invSqrtLambda) {
      this.q = q;
      this.sqrtLambda = sqrtLambda;
      this.invSqrtLambda = invSqrtLambda;
    }

    public int dim() {
      return sqrtLambda.length;
    }

    /** Q'·M = Q·(Λ^{1/2}·M) for a thin M {@code [in, p]}. */
    DMatrixRMaj apply(DMatrixRMaj m) {
      DMatrixRMaj scaled = m.copy();
      scaleRows(scaled, sqrtLambda);
      return mult(q, scaled);
    }

    /** Q'ᵀ·M = Λ^{1/2}·(Qᵀ·M). */
    DMatrixRMaj applyTransposed(DMatrixRMaj m) {
      DMatrixRMaj out = new DMatrixRMaj(q.numCols, m.numCols);
      CommonOps_DDRM.multTransA(q, m, out);
      scaleRows(out, sqrtLambda);
      return out;
    }

    /** M·Q'^{-1} = (M·Λ^{-1/2})·Qᵀ for a short M {@code [r, in]}. */
    DMatrixRMaj applyInverseRight(DMatrixRMaj m) {
      DMatrixRMaj scaled = m.copy();
      for (int r = 0; r < scaled.numRows; r++) {
        for (int c = 0; c < scaled.numCols; c++) {
          scaled.unsafe_set(r, c, scaled.unsafe_get(r, c) * invSqrtLambda[c]);
        }
      }
      DMatrixRMaj out = new DMatrixRMaj(m.numRows, q.numRows);
      CommonOps_DDRM.multTransB(scaled, q, out);
      return out;
    }
  }

  /** Eigendecomposes C = XᵀX/n and clamps its non-positive (and negligible) eigenvalues. */
  public static Basis basis(Gram gram) {
    int n = gram.dim();
    DMatrixRMaj c = new DMatrixRMaj(n, n, true, gram.covariance());
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
    if (!eig.decompose(c)) {
      throw new ArithmeticException(
          "eigendecomposition of a " + n + "×" + n + " activation covariance failed");
    }
    double max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, eig.getEigenvalue(i).real);
    }
    double floor = Math.max(max * EIGEN_FLOOR, Double.MIN_NORMAL);
    DMatrixRMaj q = new DMatrixRMaj(n, n);
    double[] sqrt = new double[n];
    double[] inv = new double[n];
    for (int i = 0; i < n; i++) {
      DMatrixRMaj v = eig.getEigenVector(i);
      for (int r = 0; r < n; r++) {
        q.unsafe_set(r, i, v.get(r));
      }
      double lambda = Math.max(eig.getEigenvalue(i).real, floor);
      sqrt[i] = Math.sqrt(lambda);
      inv[i] = 1 / sqrt[i];
    }
    return new Basis(q, sqrt, inv);
  }

  /**
   * EoRA factors of {@code delta} = W − W_c {@code [out, in]} at rank {@code rank} (capped at
   * min(out, in)).
   *
   * @param basis the eigenspace of this layer's input ({@link #basis})
   */
  public static LowRankFactors eora(float[] delta, int out, int in, Basis basis, int rank) {
    if (basis.dim() != in) {
      throw new IllegalArgumentException(
          "basis of dimension " + basis.dim() + " for a layer with " + in + " inputs");
    }
    return fit(delta, out, in, basis, rank);
  }

  /**
   * Plain truncated SVD of {@code delta} {@code [out, in]}: the ablation that ignores the
   * activations.
   */
  public static LowRankFactors svd(float[] delta, int out, int in, int rank) {
    return fit(delta, out, in, null, rank);
  }

  /** Truncated SVD of M = ΔW·Q' (Q' = I without a basis) and the split into B and A. */
  private static LowRankFactors fit(float[] delta, int out, int in, Basis basis, int rank) {
    int r = Math.min(rank, Math.min(out, in));
    DMatrixRMaj dw = new DMatrixRMaj(out, in);
    for (int i = 0; i < delta.length; i++) {
      dw.data[i] = delta[i];
    }
    Operator m = new Operator(dw, basis);
    Svd top = topSingular(m, out, in, r);
    // B = U_r Σ^{1/2} [out, r];  A = Σ^{1/2} V_rᵀ Q'^{-1} [r, in]
    float[] b = new float[out * r];
    DMatrixRMaj vt = new DMatrixRMaj(r, in);
    for (int k = 0; k < r; k++) {
      double s = Math.sqrt(top.sigma[k]);
      for (int o = 0; o < out; o++) {
        b[o * r + k] = (float) (top.u.unsafe_get(o, k) * s);
      }
      for (int i = 0; i < in; i++) {
        vt.unsafe_set(k, i, top.v.unsafe_get(i, k) * s);
      }
    }
    DMatrixRMaj a = basis == null ? vt : basis.applyInverseRight(vt);
    float[] af = new float[r * in];
    for (int i = 0; i < af.length; i++) {
      af[i] = (float) a.data[i];
    }
    return new LowRankFactors(out, in, r, b, af);
  }

  /** M = ΔW·Q' as an operator: products with thin matrices only. */
  private record Operator(DMatrixRMaj dw, Basis basis) {
    /** M·X, X {@code [in, p]}. */
    DMatrixRMaj times(DMatrixRMaj x) {
      return mult(dw, basis == null ? x : basis.apply(x));
    }

    /** Mᵀ·Y = Q'ᵀ·(ΔWᵀ·Y), Y {@code [out, p]}. */
    DMatrixRMaj transposeTimes(DMatrixRMaj y) {
      DMatrixRMaj t = new DMatrixRMaj(dw.numCols, y.numCols);
      CommonOps_DDRM.multTransA(dw, y, t);
      return basis == null ? t : basis.applyTransposed(t);
    }
  }

  /**
   * The top r singular triplets, descending: U {@code [out, r]}, σ {@code [r]}, V {@code [in, r]}.
   */
  private record Svd(DMatrixRMaj u, double[] sigma, DMatrixRMaj v) {}

  private static Svd topSingular(Operator m, int out, int in, int r) {
    int minDim = Math.min(out, in);
    int p = minDim <= EXACT_LIMIT ? minDim : Math.min(minDim, r + OVERSAMPLE);
    boolean exact = p == minDim;
    DMatrixRMaj range;
    if (exact && out <= in) {
      range = CommonOps_DDRM.identity(out); // the whole output space
    } else if (exact) {
      range = orthonormal(m.times(CommonOps_DDRM.identity(in)));
    } else {
      Random random = new Random(7);
      DMatrixRMaj omega = new DMatrixRMaj(in, p);
      for (int i = 0; i < omega.data.length; i++) {
        omega.data[i] = random.nextGaussian();
      }
      range = orthonormal(m.times(omega));
      for (int it = 0; it < POWER_ITERATIONS; it++) {
        range = orthonormal(m.times(orthonormal(m.transposeTimes(range))));
      }
    }
    // M ≈ R·(Rᵀ·M); the SVD of the small Rᵀ·M [p, in] gives M's top triplets.
    DMatrixRMaj small = new DMatrixRMaj(range.numCols, in);
    CommonOps_DDRM.transpose(m.transposeTimes(range), small);
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(small.numRows, in, true, true, true);
    if (!svd.decompose(small)) {
      throw new ArithmeticException("SVD of a " + small.numRows + "×" + in + " matrix failed");
    }
    DMatrixRMaj us = svd.getU(null, false);
    DMatrixRMaj w = svd.getW(null);
    DMatrixRMaj v = svd.getV(null, false);
    SingularOps_DDRM.descendingOrder(us, false, w, v, false);
    DMatrixRMaj u = mult(range, us);
    DMatrixRMaj uR = CommonOps_DDRM.extract(u, 0, out, 0, r);
    DMatrixRMaj vR = CommonOps_DDRM.extract(v, 0, in, 0, r);
    double[] sigma = new double[r];
    for (int k = 0; k < r; k++) {
      sigma[k] = w.get(k, k);
    }
    return new Svd(uR, sigma, vR);
  }

  private static DMatrixRMaj orthonormal(DMatrixRMaj y) {
    QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(y.numRows, y.numCols);
    if (!qr.decompose(y.copy())) {
      throw new ArithmeticException("QR of a " + y.numRows + "×" + y.numCols + " matrix failed");
    }
    return qr.getQ(null, true);
  }

  private static DMatrixRMaj mult(DMatrixRMaj a, DMatrixRMaj b) {
    DMatrixRMaj c = new DMatrixRMaj(a.numRows, b.numCols);
    CommonOps_DDRM.mult(a, b, c);
    return c;
  }

  private static void scaleRows(DMatrixRMaj m, double[] scale) {
    for (int r = 0; r < m.numRows; r++) {
      for (int c = 0; c < m.numCols; c++) {
        m.unsafe_set(r, c, m.unsafe_get(r, c) * scale[r]);
      }
    }
  }
}
