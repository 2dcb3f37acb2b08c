package io.flexserve.server.encoder;

/**
 * A finished embeddings request.
 *
 * @param embeddings {@code [inputs][hidden]}, L2-normalised, in request order
 * @param subnet sub-network that ran it
 * @param queueMillis time from arrival until its run started (parsing and tokenizing included)
 * @param inferenceMillis ONNX Runtime time of the run it was part of
 * @param predictedMillis what the router predicted for that run
 * @param batchRequests requests merged into that run (1 = ran alone)
 */
public record EmbeddingResult(
    float[][] embeddings,
    String subnet,
    double queueMillis,
    double inferenceMillis,
    double predictedMillis,
    int batchRequests) {}
