package io.flexserve.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.llm.AttentionBias;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.llm.DecoderSession;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.KvCache;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.text.TokenBatch;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What is trained is what is served: the PyTorch forward passes of the student compute, for every
 * sub-network of a bundle, what ONNX Runtime computes from the bundle's own graphs.
 */
class StudentForwardTest {
  @Test
  void decoderLogitsEqualTheBundleGraphsForEverySubnet() throws Exception {
    Path bundle = TinyBundles.decoder();
    DecoderManifest manifest = DecoderManifest.read(bundle);
    DecoderTask task = DecoderTask.open(bundle, manifest, List.of(), 16, 2, 2, 1, 1);
    Map<String, float[]> values =
        task.tensors().read(bundle.resolve(manifest.weights()), task.shapes().keySet());
    long[] ids = {1, 403, 407, 261, 378, 284, 259, 320, 290, 343, 264, 271, 360, 356, 270, 260};
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        ElasticDecoder decoder = ElasticDecoder.load(bundle, SessionConfig.cpu(1), n -> true)) {
      Map<String, NDArray> w = arrays(manager, values, task.shapes());
      DecoderStudent student = task.student();
      assertTrue(manifest.subnets().size() >= 2, manifest.subnets().toString());
      for (DecoderManifest.Subnet s : manifest.subnets()) {
        float[] torch =
            student
                .logits(w, s.spec(), manager.create(ids, new Shape(1, ids.length)))
                .toFloatArray();
        DecoderSession session = decoder.session(s.name());
        long[] positions = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
          positions[i] = i;
        }
        try (KvCache empty = session.emptyCache(1)) {
          DecoderSession.Step step =
              session.step(
                  ids,
                  positions,
                  AttentionBias.causal(0, ids.length),
                  ids.length,
                  empty,
                  ids.length);
          step.cache().close();
          assertEquals(step.logits().length, torch.length);
          assertTrue(
              maxDiff(step.logits(), torch) < 2e-3,
              s.name() + ": max |diff| " + maxDiff(step.logits(), torch));
        }
      }
    }
  }

  @Test
  void encoderEmbeddingsEqualTheBundleGraphsForEverySubnet() throws Exception {
    Path bundle = TinyBundles.encoder();
    EncoderManifest manifest = EncoderManifest.read(bundle);
    try (EncoderTask task =
            EncoderTask.open(
                bundle,
                manifest,
                List.of(String.join("\n", java.util.Collections.nCopies(1, lines()))),
                null,
                2,
                8,
                1);
        NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        ElasticEncoder encoder = ElasticEncoder.load(bundle, SessionConfig.cpu(1), n -> true)) {
      Map<String, float[]> values =
          task.tensors().read(bundle.resolve(manifest.weights()), task.shapes().keySet());
      Map<String, NDArray> w = arrays(manager, values, task.shapes());
      EncoderStudent student = new EncoderStudent(manifest.config());
      TokenBatch batch =
          encoder.tokenizer().encodeBatch(List.of("A man is playing a guitar.", "Dogs run.", ""));
      float[] mask = new float[batch.attentionMask().length];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = batch.attentionMask()[i];
      }
      for (EncoderManifest.Subnet s : manifest.subnets()) {
        float[] torch =
            student
                .embed(
                    w,
                    s.spec(),
                    manager.create(batch.inputIds(), new Shape(batch.batch(), batch.sequence())),
                    manager.create(mask, new Shape(batch.batch(), batch.sequence())))
                .toFloatArray();
        float[][] ort = encoder.embed(s.name(), batch);
        float[] flat = new float[torch.length];
        for (int r = 0; r < ort.length; r++) {
          System.arraycopy(ort[r], 0, flat, r * ort[r].length, ort[r].length);
        }
        assertTrue(maxDiff(flat, torch) < 1e-4, s.name() + ": max |diff| " + maxDiff(flat, torch));
      }
    }
  }

  private static String lines() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      b.append("sentence number ").append(i).append('\n');
    }
    return b.toString();
  }

  static Map<String, NDArray> arrays(
      NDManager manager, Map<String, float[]> values, Map<String, Shape> shapes) {
    Map<String, NDArray> w = new HashMap<>();
    values.forEach((k, v) -> w.put(k, manager.create(v, shapes.get(k))));
    return w;
  }

  static double maxDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
