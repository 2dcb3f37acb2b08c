package io.flexserve.models.vision;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Turns a decoded image into a model input: RGB, resized to a square resolution, scaled to [0, 1],
 * planar {@code [3, R, R]}. Normalisation by the input conditioner's mean and std is part of the
 * graph, not done here.
 */
public final class Pixels {
  /** How a non-square image becomes square. */
  public enum Resize {
    /**
     * Keep the aspect ratio: scale the longer side to R, centre, pad with the conditioner's mean
     * colour.
     */
    FIT,
    /** Scale each side to R independently. */
    STRETCH
  }

  private Pixels() {}

  /**
   * @param mean the input conditioner's mean, used as the padding colour so padding normalises to
   *     zero
   * @return {@code [3, R, R]} planar RGB in [0, 1]
   */
  public static float[] of(
      BufferedImage image, int resolution, Resize resize, java.util.List<Float> mean) {
    int w = image.getWidth();
    int h = image.getHeight();
    int tw = resolution;
    int th = resolution;
    if (resize == Resize.FIT) {
      double s = (double) resolution / Math.max(w, h);
      tw = Math.max(1, (int) Math.round(w * s));
      th = Math.max(1, (int) Math.round(h * s));
    }
    BufferedImage square = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = square.createGraphics();
    try {
      g.setColor(new Color(mean.get(0), mean.get(1), mean.get(2)));
      g.fillRect(0, 0, resolution, resolution);
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      // Downscaling by more than 2× with plain bilinear aliases; step down by halves first (as
      // Pillow's reducing_gap).
      BufferedImage src = image;
      while (src.getWidth() >= 2 * tw && src.getHeight() >= 2 * th) {
        BufferedImage half =
            new BufferedImage(src.getWidth() / 2, src.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D hg = half.createGraphics();
        hg.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        hg.drawImage(src, 0, 0, half.getWidth(), half.getHeight(), null);
        hg.dispose();
        src = half;
      }
      g.drawImage(src, (resolution - tw) / 2, (resolution - th) / 2, tw, th, null);
    } finally {
      g.dispose();
    }
    return planar(square);
  }

  /** {@code [3, H, W]} planar RGB in [0, 1] of an image already at its final size. */
  public static float[] planar(BufferedImage rgb) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    int[] argb = rgb.getRGB(0, 0, w, h, null, 0, w);
    float[] out = new float[3 * w * h];
    int plane = w * h;
    for (int i = 0; i < plane; i++) {
      int v = argb[i];
      out[i] = ((v >> 16) & 0xff) / 255f;
      out[plane + i] = ((v >> 8) & 0xff) / 255f;
      out[2 * plane + i] = (v & 0xff) / 255f;
    }
    return out;
  }

  /**
   * Deterministic synthetic calibration images: smooth colour gradients, stripes at random
   * frequencies and rectangles, so heads and neurons see structured, varied input. Used when no
   * calibration images are given.
   */
  public static BufferedImage synthetic(int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    double[] f = {
      r.nextDouble(0.5, 6), r.nextDouble(0.5, 6), r.nextDouble(0, 6.3), r.nextDouble(0, 6.3)
    };
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double u = (double) x / size;
        double v = (double) y / size;
        int red = (int) (127.5 * (1 + Math.sin(2 * Math.PI * f[0] * u + f[2])));
        int green = (int) (127.5 * (1 + Math.sin(2 * Math.PI * f[1] * v + f[3])));
        int blue = (int) (255 * (u + v) / 2);
        img.setRGB(x, y, (red << 16) | (green << 8) | blue);
      }
    }
    Graphics2D g = img.createGraphics();
    for (int i = 0; i < 3; i++) {
      g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
      int x0 = r.nextInt(size);
      int y0 = r.nextInt(size);
      g.fillRect(x0, y0, 1 + r.nextInt(size - x0), 1 + r.nextInt(size - y0));
    }
    g.dispose();
    return img;
  }
}
