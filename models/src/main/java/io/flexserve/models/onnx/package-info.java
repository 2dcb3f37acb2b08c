/**
 * ONNX models as data: reading initializers from existing models and building new graphs in Java.
 *
 * <p>The protobuf classes in {@code io.flexserve.models.onnx.proto} are generated from a subset of
 * the ONNX IR ({@code src/main/proto/onnx-subset.proto}); this package wraps them so graph code
 * reads like the forward pass it describes. Graphs built here keep their weights outside the model
 * ({@link io.flexserve.models.weights}), so one copy of the weights can back many sub-network
 * graphs.
 */
package io.flexserve.models.onnx;
