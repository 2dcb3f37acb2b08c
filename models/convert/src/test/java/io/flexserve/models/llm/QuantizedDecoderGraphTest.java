package io.flexserve.models.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.convert.compress.CompressionPlan;
import io.flexserve.convert.llm.DecoderCompressor;
import io.flexserve.convert.llm.DecoderWeightFile;
import io.flexserve.convert.llm.GreedyDecoder;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.SharedData;
import io.flexserve.models.text.DecoderTokenizer;
import io.flexserve.models.weights.MappedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quantized graph (MatMulNBits over the packed codes) computes what the float32 graph computes
 * over the same quantized weights dequantized, on the real tinystories-260k: for the full model and
 * for a sub-network whose kept widths end inside a quantization block (3 of 4 KV groups: o reads 48
 * of 64 inputs; MLP 152 of 172), with a layer skipped. With {@code accuracy_level} 0 (float
 * compute) the logits agree to float rounding; the served level 4 (activations quantized to int8
 * per block) stays close and, at 8 bits, decodes the golden prompts as dense does.
 */
class QuantizedDecoderGraphTest {
  @TempDir Path dir;

  record Pair(DecoderSession reference, DecoderSession quantized, DecoderHead head)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      reference.close();
      quantized.close();
      head.close();
    }
  }

  /**
   * Sessions of {@code subnet}: float32 over the dequantized weights, and {@code precision} over
   * the codes.
   */
  private Pair open(Checkpoint ckpt, int bits, int accuracyLevel, DecoderSubnet subnet)
      throws Exception {
    LlamaConfig c = ckpt.config();
    CompressionPlan plan =
        new CompressionPlan(
            bits == 4 ? CompressionPlan.Quantization.INT4 : CompressionPlan.Quantization.INT8,
            32,
            CompressionPlan.Pruning.NONE,
            null,
            CompressionPlan.Compensation.EORA,
            0,
            List.of());
    DecoderCompressor.Served served =
        DecoderCompressor.quantizeServed(DecoderWeights.read(ckpt), plan);
    DecoderWeights d = served.dequantized();
    float[] lmHead = served.packed().get(QuantizedWeights.LM_HEAD).dequantize();
    DecoderWeights reference = new DecoderWeights(c, d.embed(), lmHead, d.norm(), d.layers());
    Path file = dir.resolve("weights-" + bits + ".bin");
    WeightLayout layout = DecoderWeightFile.write(reference, Map.of(), served.packed(), file);
    MappedWeights weights = MappedWeights.map(file);
    Path fp = dir.resolve(subnet.name() + "-fp32.onnx");
    Files.write(fp, DecoderGraph.build(c, subnet, layout, false, 0).toByteArray());
    Path q = dir.resolve(subnet.name() + "-int" + bits + ".onnx");
    Precision precision = new Precision(bits, 32, accuracyLevel);
    Files.write(q, DecoderGraph.build(c, subnet, layout, false, 0, precision).toByteArray());
    Path headGraph = dir.resolve("head-int" + bits + ".onnx");
    Files.write(headGraph, DecoderGraph.buildHead(c, layout, precision).toByteArray());
    DecoderHead head = DecoderHead.open(headGraph, weights, SessionConfig.cpu(1));
    return new Pair(
        DecoderSession.open(fp, weights, SessionConfig.cpu(1), c, subnet),
        DecoderSession.open(q, weights, SessionConfig.cpu(1), c, subnet, head),
        head);
  }

  /**
   * Largest |a − b| over a prefill of {@code prompt} and three decode steps, relative to the
   * largest |logit|.
   */
  private static double relativeLogitGap(Pair p, long[] prompt) throws Exception {
    double gap = 0;
    double scale = 0;
    try (KvCache empty = p.reference().emptyCache(1)) {
      DecoderSession.Step a =
          p.reference()
              .step(
                  prompt,
                  positions(0, prompt.length),
                  AttentionBias.causal(0, prompt.length),
                  prompt.length,
                  empty,
                  1);
      DecoderSession.Step b =
          p.quantized()
              .step(
                  prompt,
                  positions(0, prompt.length),
                  AttentionBias.causal(0, prompt.length),
                  prompt.length,
                  empty,
                  1);
      for (int t = 0; t < 4; t++) {
        for (int i = 0; i < a.logits().length; i++) {
          gap = Math.max(gap, Math.abs(a.logits()[i] - b.logits()[i]));
          scale = Math.max(scale, Math.abs(a.logits()[i]));
        }
        if (t == 3) {
          a.cache().close();
          b.cache().close();
          break;
        }
        long[] next = {argmax(a.logits())};
        int at = prompt.length + t;
        DecoderSession.Step a2 =
            p.reference()
                .step(next, positions(at, 1), AttentionBias.causal(at, 1), 1, a.cache(), 1);
        DecoderSession.Step b2 =
            p.quantized()
                .step(next, positions(at, 1), AttentionBias.causal(at, 1), 1, b.cache(), 1);
        a.cache().close();
        b.cache().close();
        a = a2;
        b = b2;
      }
    }
    return gap / scale;
  }

  private static DecoderSubnet partial(LlamaConfig c) {
    return new DecoderSubnet(
        "partial",
        List.of(
            new DecoderSubnet.Layer(0, 4, c.intermediate()),
            new DecoderSubnet.Layer(1, 3, 152),
            new DecoderSubnet.Layer(3, 3, 152),
            new DecoderSubnet.Layer(4, 2, 96)));
  }

  @Test
  void floatComputeMatchesTheDequantizedReference_fullAndPartialBlocks() throws Exception {
    try (Checkpoint ckpt = Checkpoint.open(SharedData.tinyStories())) {
      LlamaConfig c = ckpt.config();
      long[] prompt = {1, 403, 407, 261, 3000 % c.vocabSize(), 79, 305};
      for (int bits : new int[] {4, 8}) {
        for (DecoderSubnet s : List.of(DecoderSubnet.full(c), partial(c))) {
          try (Pair p = open(ckpt, bits, 0, s)) {
            double gap = relativeLogitGap(p, prompt);
            assertTrue(gap < 1e-4, "int" + bits + " " + s.name() + ": relative logit gap " + gap);
          }
        }
      }
    }
  }

  @Test
  void servedAccuracyLevelStaysClose_andInt8DecodesTheGoldenPromptsAsDense() throws Exception {
    JsonNode golden =
        new ObjectMapper().readTree(SharedData.tinyStories().resolve("golden.json").toFile());
    try (Checkpoint ckpt = Checkpoint.open(SharedData.tinyStories());
        DecoderTokenizer tokenizer = DecoderTokenizer.load(ckpt.tokenizerJson())) {
      LlamaConfig c = ckpt.config();
      Map<Integer, Double> gaps = new HashMap<>();
      for (int bits : new int[] {4, 8}) {
        try (Pair p = open(ckpt, bits, Precision.SERVED_ACCURACY_LEVEL, partial(c))) {
          gaps.put(
              bits,
              relativeLogitGap(p, tokenizer.encode("Once upon a time, there was a little girl")));
        }
      }
      // int8 activations cost a few percent of the logit scale at most, on either weight width
      assertTrue(gaps.get(8) < 0.05 && gaps.get(4) < 0.05, "relative logit gaps " + gaps);
      try (Pair p = open(ckpt, 8, Precision.SERVED_ACCURACY_LEVEL, DecoderSubnet.full(c))) {
        for (JsonNode g : golden.get("cases")) {
          long[] prompt = tokenizer.encode(g.get("prompt").asText());
          List<Integer> expected = new java.util.ArrayList<>();
          g.get("greedy_32").forEach(t -> expected.add(t.asInt()));
          assertEquals(
              expected,
              GreedyDecoder.generate(p.quantized(), prompt, 32, Set.of()).tokens(),
              "int8 greedy continuation of " + g.get("prompt"));
        }
      }
    }
  }

  private static long[] positions(int from, int n) {
    long[] p = new long[n];
    for (int i = 0; i < n; i++) {
      p[i] = from + i;
    }
    return p;
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
