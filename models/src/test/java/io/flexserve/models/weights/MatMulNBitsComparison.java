package io.flexserve.models.weights;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.proto.Onnx.ModelProto;
import io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Why compressed weights are served as float32 (a plain main, not a test): one decode-sized product
 * x·Wᵀ ({@code x [1, K]}, W {@code [N, K]} = 2048 × 768, the 100M model's gate projection) as a
 * float32 Gemm and as {@code com.microsoft.MatMulNBits} (int4, block 32) at accuracy levels 0 and
 * 4, each with ONNX Runtime's weight pre-packing on and off. Bundles share one mapped weight file
 * across sessions, which needs pre-packing off ({@code session.disable_prepacking=1}); with it on
 * each session keeps a private packed copy.
 *
 * <pre>
 * java -cp "$(cat /tmp/cp.txt):models/target/classes:models/target/test-classes" \
 *     io.flexserve.models.weights.MatMulNBitsComparison [N K] [runs]
 * </pre>
 *
 * Prints the median of 5 blocks of {@code runs} runs per variant (µs), variants interleaved block
 * by block.
 */
public final class MatMulNBitsComparison {
  private MatMulNBitsComparison() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 1 ? Integer.parseInt(args[0]) : 2048;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 768;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    int block = 32;
    Random random = new Random(1);
    float[] w = new float[n * k];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }
    BlockQuantizer.Packed q = BlockQuantizer.quantize(w, n, k, 4, block);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    String[] names = {"float32 Gemm", "MatMulNBits acc0", "MatMulNBits acc4"};
    ModelProto[] models = {gemm(w, n, k), nbits(q, 0), nbits(q, 4)};
    System.out.printf(
        "x [1, %d] · Wᵀ, W [%d, %d]; 1 thread; median µs over 5 blocks of %d runs%n",
        k, n, k, runs);
    System.out.printf("%-18s %16s %16s%n", "variant", "prepacking on", "prepacking off");
    for (int v = 0; v < models.length; v++) {
      double[] us = new double[2];
      for (int p = 0; p < 2; p++) {
        us[p] = time(env, models[v], p == 1, k, runs);
      }
      System.out.printf("%-18s %16.1f %16.1f%n", names[v], us[0], us[1]);
    }
    System.out.printf("weight bytes: float32 %d, int4 packed %d%n", 4L * n * k, q.bytes());
  }

  private static double time(
      OrtEnvironment env, ModelProto model, boolean disablePrepacking, int k, int runs)
      throws OrtException {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      o.addConfigEntry("session.disable_prepacking", disablePrepacking ? "1" : "0");
      float[] x = new float[k];
      Arrays.fill(x, 0.01f);
      try (OrtSession s = env.createSession(model.toByteArray(), o);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, k})) {
        for (int i = 0; i < 20; i++) {
          s.run(Map.of("x", in)).close();
        }
        double[] blocks = new double[5];
        for (int b = 0; b < blocks.length; b++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < runs; i++) {
            s.run(Map.of("x", in)).close();
          }
          blocks[b] = (System.nanoTime() - t0) / 1e3 / runs;
        }
        Arrays.sort(blocks);
        return blocks[2];
      }
    }
  }

  private static ModelProto gemm(float[] w, int n, int k) {
    GraphBuilder g = new GraphBuilder("gemm");
    String x = g.input("x", DataType.FLOAT, 1, k);
    g.output(
        g.gemmT(x, g.embedded("w", DataType.FLOAT, floats(w), n, k)), "y", DataType.FLOAT, 1, n);
    return g.build();
  }

  private static ModelProto nbits(BlockQuantizer.Packed q, int accuracyLevel) {
    GraphBuilder g = new GraphBuilder("nbits").opset("com.microsoft", 1);
    String x = g.input("x", DataType.FLOAT, 1, q.in());
    String y =
        g.node(
                "com.microsoft",
                "MatMulNBits",
                new String[] {
                  x,
                  g.embedded("b", DataType.UINT8, q.codes(), q.out(), q.kBlocks(), q.blockBytes()),
                  g.embedded(
                      "scales", DataType.FLOAT, floats(q.scales()), (long) q.out() * q.kBlocks()),
                  g.embedded("zp", DataType.UINT8, q.zeroPoints(), q.zeroPoints().length)
                },
                new String[] {"y"},
                "K",
                q.in(),
                "N",
                q.out(),
                "bits",
                4,
                "block_size",
                q.block(),
                "accuracy_level",
                accuracyLevel)[0];
    g.output(y, "y", DataType.FLOAT, 1, q.out());
    return g.build();
  }

  static byte[] floats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }
}
