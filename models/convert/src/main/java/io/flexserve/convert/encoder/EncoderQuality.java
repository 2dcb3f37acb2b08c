package io.flexserve.convert.encoder;

import ai.onnxruntime.OrtException;
import io.flexserve.models.encoder.ElasticEncoder;
import io.flexserve.models.encoder.EncoderManifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quality of every loaded sub-network of an encoder bundle, as ONNX Runtime serves it: the
 * Spearman correlation on a labelled similarity set, or the mean cosine to the full sub-network's
 * embeddings of some texts. Used by {@code convert --quality-set} and by {@code distill}.
 */
public final class EncoderQuality {
  private static final int CHUNK = 64;

  private EncoderQuality() {}

  /** Spearman on {@code set} per sub-network, in manifest order. */
  public static Map<String, Double> spearman(ElasticEncoder encoder, SimilaritySet set)
      throws OrtException {
    Map<String, Double> out = new LinkedHashMap<>();
    for (EncoderManifest.Subnet s : encoder.subnets()) {
      out.put(
          s.name(),
          set.spearman(
              embed(encoder, s.name(), set.first()), embed(encoder, s.name(), set.second())));
    }
    return out;
  }

  /**
   * Mean cosine of each sub-network's embedding of {@code texts} to the first (full) sub-network's.
   */
  public static Map<String, Double> cosineToFull(ElasticEncoder encoder, List<String> texts)
      throws OrtException {
    Map<String, Double> out = new LinkedHashMap<>();
    float[][] full = embed(encoder, encoder.subnets().get(0).name(), texts);
    for (EncoderManifest.Subnet s : encoder.subnets()) {
      float[][] e = embed(encoder, s.name(), texts);
      double sum = 0;
      for (int i = 0; i < e.length; i++) {
        for (int j = 0; j < e[i].length; j++) {
          sum += (double) e[i][j] * full[i][j];
        }
      }
      out.put(s.name(), sum / e.length);
    }
    return out;
  }

  /** L2-normalised embeddings of {@code texts} on one sub-network, in chunks of {@value #CHUNK}. */
  public static float[][] embed(ElasticEncoder encoder, String subnet, List<String> texts)
      throws OrtException {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += CHUNK) {
      List<String> chunk = texts.subList(from, Math.min(texts.size(), from + CHUNK));
      float[][] e = encoder.embed(subnet, encoder.tokenizer().encodeBatch(chunk));
      System.arraycopy(e, 0, out, from, e.length);
    }
    return out;
  }
}
