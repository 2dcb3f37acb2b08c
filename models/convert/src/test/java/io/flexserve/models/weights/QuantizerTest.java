package io.flexserve.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.flexserve.convert.compress.EoraTest;
import io.flexserve.models.onnx.GraphBuilder;
import io.flexserve.models.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizerTest {
  @Test
  void int8_zeroStaysZero_andErrorBoundedByHalfAStep() {
    Random random = new Random(1);
    int out = 6;
    int in = 40;
    float[] w = EoraTest.gaussian(random, out * in);
    w[7] = 0;
    BlockQuantizer.Packed q = BlockQuantizer.quantize(w, out, in, 8, 16);
    float[] d = q.dequantize();
    assertEquals(0f, d[7]);
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        float scale = q.scales()[o * q.kBlocks() + i / 16];
        assertTrue(
            Math.abs(d[o * in + i] - w[o * in + i]) <= scale / 2 + 1e-6, "at " + o + "," + i);
      }
    }
    // codes, a float scale and a zero point per block of 16
    assertEquals(out * 3 * 16 + 4L * out * 3 + out * 3, q.bytes());
  }

  @Test
  void int4_zeroStaysZero_andErrorBoundedByHalfAStep() {
    Random random = new Random(2);
    int out = 5;
    int in = 70; // not a multiple of the block: the last block is partial
    float[] w = EoraTest.gaussian(random, out * in);
    w[3] = 0;
    BlockQuantizer.Packed q = BlockQuantizer.quantize(w, out, in, 4, 32);
    float[] d = q.dequantize();
    assertEquals(0f, d[3]);
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        float scale = q.scales()[o * q.kBlocks() + i / 32];
        assertTrue(
            Math.abs(d[o * in + i] - w[o * in + i]) <= scale / 2 + 1e-5, "at " + o + "," + i);
      }
    }
  }

  /**
   * The packed arrays, fed to ONNX Runtime's MatMulNBits, compute x·dequantize(W)ᵀ, for 4 and 8
   * bits.
   */
  @Test
  void layoutIsWhatMatMulNBitsReads() throws Exception {
    layoutIsWhatMatMulNBitsReads(4);
    layoutIsWhatMatMulNBitsReads(8);
  }

  private static void layoutIsWhatMatMulNBitsReads(int bits) throws Exception {
    Random random = new Random(3);
    int n = 12;
    int k = 80;
    int block = 16;
    int m = 3;
    float[] w = EoraTest.gaussian(random, n * k);
    float[] x = EoraTest.gaussian(random, m * k);
    BlockQuantizer.Packed q = BlockQuantizer.quantize(w, n, k, bits, block);
    GraphBuilder g = new GraphBuilder("nbits").opset("com.microsoft", 1);
    String a = g.input("a", DataType.FLOAT, m, k);
    String y =
        g.node(
                "com.microsoft",
                "MatMulNBits",
                new String[] {
                  a,
                  g.embedded("b", DataType.UINT8, q.codes(), n, q.kBlocks(), q.blockBytes()),
                  g.embedded(
                      "scales",
                      DataType.FLOAT,
                      MatMulNBitsComparison.floats(q.scales()),
                      (long) n * q.kBlocks()),
                  g.embedded("zp", DataType.UINT8, q.zeroPoints(), q.zeroPoints().length)
                },
                new String[] {"y"},
                "K",
                k,
                "N",
                n,
                "bits",
                bits,
                "block_size",
                block)[0];
    g.output(y, "y", DataType.FLOAT, m, n);
    float[] reference = new float[m * n];
    float[] dq = q.dequantize();
    for (int r = 0; r < m; r++) {
      for (int c = 0; c < n; c++) {
        double s = 0;
        for (int i = 0; i < k; i++) {
          s += x[r * k + i] * dq[c * k + i];
        }
        reference[r * n + c] = (float) s;
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(g.build().toByteArray(), options);
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {m, k});
        OrtSession.Result result = session.run(Map.of("a", in))) {
      float[][] out = (float[][]) result.get(0).getValue();
      float[] flat = new float[m * n];
      for (int r = 0; r < m; r++) {
        System.arraycopy(out[r], 0, flat, r * n, n);
      }
      assertArrayEquals(reference, flat, 2e-3f);
    }
  }
}
