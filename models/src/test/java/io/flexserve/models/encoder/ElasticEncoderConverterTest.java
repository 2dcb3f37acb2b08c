package io.flexserve.models.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.testing.DefaultBundle;
import io.flexserve.models.text.TokenBatch;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ElasticEncoderConverterTest {
  private static ElasticEncoder encoder;

  @BeforeAll
  static void load() throws Exception {
    encoder = ElasticEncoder.load(DefaultBundle.get(), SessionConfig.cpu(2), name -> true);
  }

  @AfterAll
  static void close() throws Exception {
    encoder.close();
  }

  @Test
  void fullSubnet_matchesOriginalOnnxModel_onEveryTestSentence() throws Exception {
    List<String> sentences = new ArrayList<>(MiniLmDefault.validationSentences());
    sentences.add("ok");
    sentences.add("Ünïcödé, emoji 🚀 and CJK 東京 all tokenize.");
    sentences.add("long ".repeat(400)); // beyond 256 tokens: truncated identically on both paths
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] original;
    try (InputStream in = new MiniLmDefault().openOnnx()) {
      original = in.readAllBytes();
    }
    try (OrtSession reference = env.createSession(original, new OrtSession.SessionOptions())) {
      double worst = 1;
      for (String s : sentences) {
        TokenBatch batch = encoder.tokenizer().encodeBatch(List.of(s));
        float[] expected = referenceEmbedding(env, reference, batch);
        float[] actual = encoder.embed("full", batch)[0];
        worst = Math.min(worst, Embeddings.cosine(expected, actual));
      }
      assertTrue(worst >= 0.9999, "worst cosine to the original model " + worst);
    }
  }

  @Test
  void batchedInputs_withPadding_equalUnbatched() throws Exception {
    List<String> texts =
        List.of(
            "short one",
            "a somewhat longer sentence that needs more tokens than the first",
            "mid length text");
    float[][] batched = encoder.embed("mlp50-heads75", encoder.tokenizer().encodeBatch(texts));
    for (int i = 0; i < texts.size(); i++) {
      float[] alone =
          encoder.embed("mlp50-heads75", encoder.tokenizer().encodeBatch(List.of(texts.get(i))))[0];
      assertTrue(Embeddings.cosine(alone, batched[i]) > 0.99999, "padding changed input " + i);
    }
  }

  @Test
  void manifest_listsNestedSubnets_fullFirst_qualityMeasured() throws Exception {
    EncoderManifest m = encoder.manifest();
    assertEquals(4, m.subnets().size());
    EncoderManifest.Subnet full = m.subnets().get(0);
    assertEquals("full", full.name());
    assertEquals(1.0, full.quality(), 1e-9);
    assertEquals(1.0, full.relativeSize(), 1e-9);
    EncoderManifest.Subnet smallest = m.subnets().get(3);
    assertEquals(4, smallest.layers().size());
    assertEquals(6, smallest.heads());
    assertEquals(384, smallest.mlpWidth());
    for (EncoderManifest.Subnet s : m.subnets().subList(1, 4)) {
      assertTrue(s.relativeSize() < 1 && s.quality() < 1 && s.quality() > 0.3, s.toString());
    }
    // the two dropped layers are the least important blocks
    List<Integer> kept = smallest.layers();
    double minKept = kept.stream().mapToDouble(m.blockImportance()::get).min().orElseThrow();
    for (int l = 0; l < m.config().layers(); l++) {
      if (!kept.contains(l)) {
        assertTrue(
            m.blockImportance().get(l) <= minKept,
            "dropped layer " + l + " is more important than a kept one");
      }
    }
  }

  @Test
  void embeddings_areUnitLength() throws Exception {
    for (EncoderManifest.Subnet s : encoder.subnets()) {
      float[] e =
          encoder.embed(s.name(), encoder.tokenizer().encodeBatch(List.of("unit length check")))[0];
      double norm = 0;
      for (float v : e) {
        norm += v * v;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-4, s.name());
    }
  }

  /** The original export's last_hidden_state, pooled in Java as sentence-transformers does. */
  private static float[] referenceEmbedding(
      OrtEnvironment env, OrtSession session, TokenBatch batch) throws Exception {
    long[] shape = {1, batch.sequence()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
        OnnxTensor mask =
            OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
        OnnxTensor types =
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch.sequence()]), shape);
        OrtSession.Result r =
            session.run(
                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] hidden = new float[fb.remaining()];
      fb.get(hidden);
      return Embeddings.meanPoolNormalize(hidden, batch.sequence(), 384);
    }
  }
}
