package io.flexserve.models.vision;

import io.flexserve.convert.vision.SyntheticVision;
import io.flexserve.models.llm.checkpoint.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An independent, plain-Java (double precision) forward pass of a RADIO ViT, reading the
 * checkpoint's own tensor names directly: the test oracle for {@link VisionGraph}. It shares
 * nothing with the importer, the storage layout or the graph builder; it follows RADIO's {@code
 * ViTPatchGenerator} (conditioner, (c, yy, xx) patches, bilinear align_corners=False position
 * resampling, CLS + registers prepended) and timm's pre-norm {@code Block}.
 */
final class VisionReference {
  private final SafetensorsFile st;
  private final String m;
  private final int heads;
  private final int cls;
  private final double eps;

  VisionReference(SafetensorsFile st, String modelPrefix, int heads, int cls, double eps) {
    this.st = st;
    this.m = modelPrefix;
    this.heads = heads;
    this.cls = cls;
    this.eps = eps;
  }

  /** Summary {@code [C·H]} then features {@code [N·H]} of one image {@code [3, R, R]} in [0, 1]. */
  double[][] forward(float[] image, int res) throws IOException {
    float[] mean = st.floats(SyntheticVision.PREFIX + "input_conditioner.norm_mean");
    float[] std = st.floats(SyntheticVision.PREFIX + "input_conditioner.norm_std");
    float[] embed = st.floats(m + "patch_generator.embedder.weight");
    float[] tokens = st.floats(m + "patch_generator.cls_token.token");
    float[] pos = st.floats(m + "patch_generator.pos_embed");
    int h = st.floats(m + "norm.weight").length;
    int p = (int) Math.round(Math.sqrt(embed.length / (3.0 * h)));
    int g = res / p;
    int posGrid = (int) Math.round(Math.sqrt(pos.length / (double) h));
    int prefix = tokens.length / h;
    int t = prefix + g * g;
    double[][] x = new double[t][h];
    for (int i = 0; i < prefix; i++) {
      for (int d = 0; d < h; d++) {
        x[i][d] = tokens[i * h + d];
      }
    }
    for (int py = 0; py < g; py++) {
      for (int px = 0; px < g; px++) {
        double[] patch = new double[3 * p * p];
        for (int ch = 0; ch < 3; ch++) {
          for (int yy = 0; yy < p; yy++) {
            for (int xx = 0; xx < p; xx++) {
              double v = image[(ch * res + py * p + yy) * res + px * p + xx];
              patch[(ch * p + yy) * p + xx] = (v - mean[ch]) / std[ch];
            }
          }
        }
        double[] row = x[prefix + py * g + px];
        for (int d = 0; d < h; d++) {
          double s = 0;
          for (int k = 0; k < patch.length; k++) {
            s += embed[d * patch.length + k] * patch[k];
          }
          row[d] = s + bilinear(pos, posGrid, g, py, px, d, h);
        }
      }
    }
    int layers = 0;
    while (st.tensors().containsKey(m + "blocks." + layers + ".norm1.weight")) {
      layers++;
    }
    for (int l = 0; l < layers; l++) {
      String b = m + "blocks." + l + ".";
      double[][] y = layerNorm(x, st.floats(b + "norm1.weight"), st.floats(b + "norm1.bias"));
      double[][] qkv =
          linear(y, st.floats(b + "attn.qkv.weight"), st.floats(b + "attn.qkv.bias"), 3 * h);
      double[][] ctx = attention(qkv, h);
      add(x, linear(ctx, st.floats(b + "attn.proj.weight"), st.floats(b + "attn.proj.bias"), h));
      y = layerNorm(x, st.floats(b + "norm2.weight"), st.floats(b + "norm2.bias"));
      float[] fc1 = st.floats(b + "mlp.fc1.bias");
      double[][] u = linear(y, st.floats(b + "mlp.fc1.weight"), fc1, fc1.length);
      for (double[] r : u) {
        for (int j = 0; j < r.length; j++) {
          r[j] = 0.5 * r[j] * (1 + erf(r[j] / Math.sqrt(2)));
        }
      }
      add(x, linear(u, st.floats(b + "mlp.fc2.weight"), st.floats(b + "mlp.fc2.bias"), h));
    }
    x = layerNorm(x, st.floats(m + "norm.weight"), st.floats(m + "norm.bias"));
    double[] summary = new double[cls * h];
    for (int i = 0; i < cls; i++) {
      System.arraycopy(x[i], 0, summary, i * h, h);
    }
    double[] features = new double[g * g * h];
    for (int i = 0; i < g * g; i++) {
      System.arraycopy(x[prefix + i], 0, features, i * h, h);
    }
    return new double[][] {summary, features};
  }

  /**
   * PyTorch bilinear, align_corners=False, from a {@code from}² grid to a {@code to}² grid, at (y,
   * x), channel d.
   */
  private static double bilinear(float[] pos, int from, int to, int y, int x, int d, int h) {
    double sy = Math.max(0, (y + 0.5) * from / to - 0.5);
    double sx = Math.max(0, (x + 0.5) * from / to - 0.5);
    int y0 = (int) sy;
    int x0 = (int) sx;
    int y1 = Math.min(y0 + 1, from - 1);
    int x1 = Math.min(x0 + 1, from - 1);
    double wy = sy - y0;
    double wx = sx - x0;
    return (1 - wy)
            * ((1 - wx) * pos[(y0 * from + x0) * h + d] + wx * pos[(y0 * from + x1) * h + d])
        + wy * ((1 - wx) * pos[(y1 * from + x0) * h + d] + wx * pos[(y1 * from + x1) * h + d]);
  }

  private double[][] attention(double[][] qkv, int h) {
    int t = qkv.length;
    int hd = h / heads;
    double[][] out = new double[t][h];
    for (int head = 0; head < heads; head++) {
      int q0 = head * hd;
      int k0 = h + head * hd;
      int v0 = 2 * h + head * hd;
      for (int i = 0; i < t; i++) {
        double[] s = new double[t];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < t; j++) {
          double dot = 0;
          for (int d = 0; d < hd; d++) {
            dot += qkv[i][q0 + d] * qkv[j][k0 + d];
          }
          s[j] = dot / Math.sqrt(hd);
          max = Math.max(max, s[j]);
        }
        double z = 0;
        for (int j = 0; j < t; j++) {
          s[j] = Math.exp(s[j] - max);
          z += s[j];
        }
        for (int j = 0; j < t; j++) {
          for (int d = 0; d < hd; d++) {
            out[i][head * hd + d] += s[j] / z * qkv[j][v0 + d];
          }
        }
      }
    }
    return out;
  }

  /** {@code x·Wᵀ + b} with W {@code [out, in]} as PyTorch stores it. */
  private static double[][] linear(double[][] x, float[] w, float[] b, int out) {
    int in = x[0].length;
    double[][] y = new double[x.length][out];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int i = 0; i < in; i++) {
          s += w[o * in + i] * x[r][i];
        }
        y[r][o] = s;
      }
    }
    return y;
  }

  private double[][] layerNorm(double[][] x, float[] scale, float[] bias) {
    double[][] y = new double[x.length][];
    for (int r = 0; r < x.length; r++) {
      double mu = 0;
      for (double v : x[r]) {
        mu += v;
      }
      mu /= x[r].length;
      double var = 0;
      for (double v : x[r]) {
        var += (v - mu) * (v - mu);
      }
      var /= x[r].length;
      y[r] = new double[x[r].length];
      for (int d = 0; d < x[r].length; d++) {
        y[r][d] = (x[r][d] - mu) / Math.sqrt(var + eps) * scale[d] + bias[d];
      }
    }
    return y;
  }

  private static void add(double[][] x, double[][] y) {
    for (int r = 0; r < x.length; r++) {
      for (int d = 0; d < x[r].length; d++) {
        x[r][d] += y[r][d];
      }
    }
  }

  /**
   * erf from the Numerical Recipes erfc fit (fractional error < 1.2e-7), far inside the test
   * tolerance.
   */
  static double erf(double z) {
    double t = 1.0 / (1.0 + 0.5 * Math.abs(z));
    double ans =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return z >= 0 ? 1 - ans : ans - 1;
  }

  static Path weights(Path dir) {
    return dir.resolve("model.safetensors");
  }
}
