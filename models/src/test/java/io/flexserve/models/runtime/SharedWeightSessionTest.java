package io.flexserve.models.runtime;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.encoder.EncoderSession;
import io.flexserve.models.testing.DefaultBundle;
import io.flexserve.models.text.EncoderTokenizer;
import io.flexserve.models.weights.MappedWeights;
import io.flexserve.models.weights.TensorLocation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedWeightSessionTest {
  /**
   * Every sub-network session computes from the one read-only mapping: change weights in the file
   * under it and the outputs of the full and the smallest sub-network both change. If ONNX Runtime
   * had copied the weights, neither would.
   */
  @Test
  void allSubnetSessions_computeFromTheOneMapping() throws Exception {
    Path dir = Files.createTempDirectory("flexserve-shared");
    for (String f : new String[] {"manifest.json", "weights.bin", "tokenizer.json"}) {
      Files.copy(DefaultBundle.get().resolve(f), dir.resolve(f));
    }
    EncoderManifest m = EncoderManifest.read(dir);
    MappedWeights weights = MappedWeights.map(dir.resolve(m.weights()));
    String small = m.subnets().get(m.subnets().size() - 1).name();
    for (String graph : new String[] {"full", small}) {
      Files.copy(DefaultBundle.get().resolve(graph + ".onnx"), dir.resolve(graph + ".onnx"));
    }
    try (EncoderTokenizer tok = EncoderTokenizer.load(dir.resolve("tokenizer.json"), 256);
        EncoderSession full =
            EncoderSession.open(dir.resolve("full.onnx"), weights, SessionConfig.cpu(1), 384);
        EncoderSession smallest =
            EncoderSession.open(dir.resolve(small + ".onnx"), weights, SessionConfig.cpu(1), 384)) {
      var batch = tok.encodeBatch(List.of("weights are shared"));
      float[] fullBefore = full.embed(batch)[0];
      float[] smallBefore = smallest.embed(batch)[0];
      // Rewrite the embedding LayerNorm's gain in the file underneath the read-only mapping
      // (emb.norm.scale is the 4th tensor: word, pos, type0, scale).
      TensorLocation scale = locateEmbeddingNormScale(m);
      FloatBuffer view = weights.view(scale);
      ByteBuffer changed = ByteBuffer.allocate((int) scale.bytes()).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < 384; i++) {
        changed.putFloat(view.get(i) * (i % 2 == 0 ? 3f : -1f));
      }
      try (FileChannel ch =
          FileChannel.open(dir.resolve("weights.bin"), StandardOpenOption.WRITE)) {
        ch.write(changed.flip(), scale.offset());
      }
      float[] fullAfter = full.embed(batch)[0];
      float[] smallAfter = smallest.embed(batch)[0];
      assertNotEquals(fullBefore[0], fullAfter[0]);
      assertNotEquals(smallBefore[0], smallAfter[0]);
      assertTrue(io.flexserve.models.encoder.Embeddings.cosine(fullBefore, fullAfter) < 0.999);
    }
  }

  private static TensorLocation locateEmbeddingNormScale(EncoderManifest m) {
    long h = m.config().hidden();
    long offset = 0;
    long[] sizes = {m.config().vocabSize() * h, m.config().maxPositions() * h, h};
    for (long floats : sizes) {
      offset += floats * 4;
      offset = (offset + 63) / 64 * 64;
    }
    return new TensorLocation(offset, h);
  }
}
