package io.flexserve.models.llm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.util.Map;

/**
 * The keys and values a decoder sub-network has cached for a batch of sequences: per kept layer
 * {@code past_key.<l>} and {@code past_value.<l>}, {@code [B, G_l, length, hd]}. The tensors are
 * ONNX Runtime's own outputs of the previous step, fed back without a copy to Java; closing the
 * cache frees them. A cache belongs to the sub-network that made it: another sub-network computes
 * different hidden states, so its keys would not match.
 *
 * @param batch rows B
 * @param length cached positions per row (including any padding the caller masked)
 * @param tensors input name → tensor
 * @param owner what frees the tensors (the run result that produced them, or the tensors themselves
 *     when empty)
 */
public record KvCache(int batch, int length, Map<String, OnnxTensor> tensors, AutoCloseable owner)
    implements AutoCloseable {
  @Override
  public void close() throws OrtException {
    try {
      owner.close();
    } catch (OrtException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
