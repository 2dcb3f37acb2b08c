package io.flexserve.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.flexserve.models.Distillation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One kind of bundle made ready for distillation: its menu, its tensors, its training and held-out
 * data, its loss, and how its sub-networks' quality is measured and recorded. The loop ({@link
 * Distiller}) is the same for every kind.
 */
sealed interface DistillTask extends AutoCloseable permits DecoderTask, EncoderTask {
  /** Menu entries by name, largest ({@code full}) first. */
  List<String> menu();

  /**
   * The entry with the fewest parameters: trained at every step, with the largest (the sandwich
   * rule).
   */
  String smallest();

  /** The bundle's tensor table. */
  BundleTensors tensors();

  /**
   * Every tensor the forward pass reads, with its shape; {@link #trainable} says which of them are
   * trained.
   */
  Map<String, Shape> shapes();

  boolean trainable(String key);

  /**
   * The data of step {@code step}: a function of the seed and the step alone, so a resumed run
   * repeats it.
   */
  Batch batch(long seed, int step);

  /**
   * The distillation loss of {@code subnets} on {@code batch}: a scalar, the weighted mean of each
   * sub-network's loss, the largest weighted {@code largestWeight} and the others 1. The teacher's
   * outputs ({@code teacher} tensors, the full sub-network) are computed without gradient.
   */
  NDArray loss(
      Map<String, NDArray> student,
      Map<String, NDArray> teacher,
      Batch batch,
      List<String> subnets,
      float largestWeight);

  /**
   * Each sub-network's quality on the held-out data, the bundle in {@code dir} run by ONNX Runtime
   * as served.
   */
  Map<String, Double> measure(Path dir) throws Exception;

  /** What {@link #measure} returns, as a manifest records it. */
  String measureName();

  /** True when a smaller value of the measure is better (perplexity). */
  boolean lowerIsBetter();

  /**
   * Writes the manifest of the distilled bundle in {@code dir}: the new qualities and how they were
   * obtained.
   */
  void writeManifest(Path dir, Map<String, Double> quality, Distillation distillation)
      throws IOException;

  @Override
  void close();

  /**
   * The weighted mean of {@code lossOf} over {@code names}: the first entry of the menu (the
   * largest) weighted {@code largestWeight}, every other 1.
   */
  default NDArray weightedMean(
      List<String> names,
      float largestWeight,
      java.util.function.Function<String, NDArray> lossOf) {
    NDArray total = null;
    float weights = 0;
    for (String name : names) {
      float weight = name.equals(menu().get(0)) ? largestWeight : 1f;
      weights += weight;
      NDArray weighted = OwnedArrays.times(lossOf.apply(name), weight);
      total = total == null ? weighted : total.add(weighted);
    }
    return OwnedArrays.over(total, weights);
  }

  /**
   * One step's inputs.
   *
   * @param ids token ids {@code [rows, columns]}, row-major
   * @param mask 1 for real tokens, 0 for padding, {@code [rows, columns]}; null when every token is
   *     real
   * @param tokens real tokens in the batch
   */
  record Batch(long[] ids, float[] mask, int rows, int columns, long tokens) {
    public Batch {
      if (ids.length != (long) rows * columns || (mask != null && mask.length != ids.length)) {
        throw new IllegalArgumentException(
            "batch of " + ids.length + " ids is not " + rows + " × " + columns);
      }
    }
  }
}
