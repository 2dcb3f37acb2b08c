package io.flexserve.models.vision;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.runtime.SessionOutputs;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A user's own ONNX export of a RADIO-style model, served as it is at its one resolution (see
 * {@link FixedVisionManifest}). ONNX Runtime loads the graph and its weights itself. Thread-safe.
 */
public final class FixedVision implements VisionBackbone {
  private final FixedVisionManifest manifest;
  private final OrtEnvironment env;
  private final OrtSession session;

  private FixedVision(FixedVisionManifest manifest, OrtEnvironment env, OrtSession session) {
    this.manifest = manifest;
    this.env = env;
    this.session = session;
  }

  public static FixedVision load(Path dir, SessionConfig config) throws IOException, OrtException {
    FixedVisionManifest manifest = FixedVisionManifest.read(dir);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session =
        env.createSession(
            BundleFormat.file(dir, manifest.graph(), "graph").toString(), config.toOptions());
    List<String> missing = new ArrayList<>();
    if (!session.getInputNames().contains(manifest.input())) {
      missing.add("input " + manifest.input());
    }
    for (String out : new String[] {manifest.summary(), manifest.features()}) {
      if (out != null && !session.getOutputNames().contains(out)) {
        missing.add("output " + out);
      }
    }
    if (!missing.isEmpty()) {
      String message =
          dir
              + ": "
              + manifest.graph()
              + " has no "
              + missing
              + "; it has inputs "
              + session.getInputNames()
              + " and outputs "
              + session.getOutputNames();
      session.close();
      throw new IllegalArgumentException(message);
    }
    return new FixedVision(manifest, env, session);
  }

  @Override
  public String name() {
    return manifest.name();
  }

  @Override
  public List<Integer> resolutions() {
    return List.of(manifest.resolution());
  }

  @Override
  public List<VisionManifest.Variant> variants() {
    return List.of(manifest.variant());
  }

  @Override
  public Optional<VisionManifest.Subnet> subnet(String name) {
    return Optional.empty();
  }

  @Override
  public List<Float> padColor() {
    return manifest.mean();
  }

  @Override
  public int patch() {
    return manifest.patch();
  }

  @Override
  public VisionOutput run(String variant, float[] pixels, int images, OrtSession.RunOptions options)
      throws OrtException {
    if (!variant.equals(manifest.variant().name())) {
      throw new IllegalArgumentException(
          "variant '"
              + variant
              + "' is not served; this model has only "
              + manifest.variant().name());
    }
    int r = manifest.resolution();
    float[] input = manifest.normalizeInput() ? normalized(pixels, r) : pixels;
    Set<String> outputs =
        manifest.summary() == null
            ? Set.of(manifest.features())
            : Set.of(manifest.summary(), manifest.features());
    try (OnnxTensor x =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {images, 3, r, r});
        OrtSession.Result result =
            options == null
                ? session.run(Map.of(manifest.input(), x), outputs)
                : session.run(Map.of(manifest.input(), x), outputs, options)) {
      Map<String, float[]> out = SessionOutputs.floats(result);
      float[] features = out.get(manifest.features());
      int g = r / manifest.patch();
      if (manifest.featuresLayout().equals("nchw")) {
        features = toTokensLast(features, images, g);
      }
      float[] summary = manifest.summary() == null ? new float[0] : out.get(manifest.summary());
      return new VisionOutput(images, summary, features);
    }
  }

  /** {@code [B, H, g, g]} → {@code [B, g·g, H]}. */
  private static float[] toTokensLast(float[] nchw, int images, int g) {
    int n = g * g;
    int h = nchw.length / images / n;
    float[] out = new float[nchw.length];
    for (int b = 0; b < images; b++) {
      int base = b * n * h;
      for (int d = 0; d < h; d++) {
        for (int t = 0; t < n; t++) {
          out[base + t * h + d] = nchw[base + d * n + t];
        }
      }
    }
    return out;
  }

  private float[] normalized(float[] pixels, int r) {
    float[] out = new float[pixels.length];
    int plane = r * r;
    for (int i = 0; i < pixels.length; i++) {
      int c = (i / plane) % 3;
      out[i] = (pixels[i] - manifest.mean().get(c)) / manifest.std().get(c);
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
