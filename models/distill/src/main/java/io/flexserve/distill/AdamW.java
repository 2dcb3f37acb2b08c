package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), updating parameters in place. The
 * moment estimates live as long as this object (they are checkpointed with the weights); each
 * update's temporaries are closed at once.
 */
final class AdamW {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final float weightDecay;
  private final Map<String, NDArray> first =
      new LinkedHashMap<>(); // m, same shape as each parameter
  private final Map<String, NDArray> second = new LinkedHashMap<>(); // v

  AdamW(Map<String, NDArray> parameters, float weightDecay) {
    this.weightDecay = weightDecay;
    parameters.forEach(
        (k, p) -> {
          first.put(k, p.zerosLike());
          second.put(k, p.zerosLike());
        });
  }

  Map<String, NDArray> first() {
    return first;
  }

  Map<String, NDArray> second() {
    return second;
  }

  /**
   * One update of every parameter from its gradient, which is then zeroed.
   *
   * @param step 1-based step number, for the bias corrections
   * @param clip the factor every gradient is scaled by first (global norm clipping), 1 for none
   */
  void update(Map<String, NDArray> parameters, int step, float lr, float clip) {
    float correction1 = (float) (1 - Math.pow(BETA1, step));
    float correction2 = (float) (1 - Math.pow(BETA2, step));
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray w = e.getValue();
      try (NDScope scope = new NDScope()) {
        NDArray grad =
            w.getGradient(); // a handle on the parameter's gradient, closed with the scope
        NDArray g = grad.mul(clip);
        NDArray m = first.get(e.getKey()).muli(BETA1).addi(g.mul(1 - BETA1));
        NDArray v = second.get(e.getKey()).muli(BETA2).addi(g.square().muli(1 - BETA2));
        NDArray delta = m.div(correction1).divi(v.div(correction2).sqrt().addi(EPS));
        if (weightDecay > 0 && w.getShape().dimension() > 1) { // no decay on norms and biases
          delta.addi(w.mul(weightDecay));
        }
        w.subi(delta.muli(lr));
        grad.subi(grad);
      }
    }
  }

  /**
   * The factor that brings the gradients' global L2 norm down to {@code maxNorm} (1 when it is
   * below), or NaN when a gradient is not finite.
   */
  static float clipFactor(Map<String, NDArray> parameters, float maxNorm) {
    double sum = 0;
    for (NDArray w : parameters.values()) {
      try (NDScope scope = new NDScope()) {
        sum += w.getGradient().square().sum().getFloat();
      }
    }
    double norm = Math.sqrt(sum);
    if (!Double.isFinite(norm)) {
      return Float.NaN;
    }
    return norm > maxNorm ? (float) (maxNorm / norm) : 1f;
  }
}
