package io.flexserve.server.scheduling;

/**
 * A finished embeddings request.
 *
 * @param embeddings {@code [inputs][hidden]}, L2-normalised
 * @param subnet sub-network that ran it
 * @param queueMillis time from admission until inference started
 * @param inferenceMillis ONNX Runtime run time
 */
public record EmbeddingResult(float[][] embeddings, String subnet, double queueMillis, double inferenceMillis) {
  public double totalMillis() {
    return queueMillis + inferenceMillis;
  }
}
