package io.flexserve.loadtest.endpoint;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The images a run sends to {@code /v1/vision/features}: PNGs of the given sizes, each different (a
 * seeded gradient with random shapes), so that the server's result cache does not answer repeats
 * until the set wraps around.
 */
public final class SyntheticImages {
  /** One image size. */
  public record Size(int width, int height) {
    public Size {
      if (width < 1 || height < 1 || (long) width * height > 16_000_000) {
        throw new IllegalArgumentException(
            "image size must be 1x1 to 16 megapixels, got " + width + "x" + height);
      }
    }

    /** Reads {@code WIDTHxHEIGHT}, such as {@code 640x480}. */
    public static Size parse(String text) {
      String[] wh = text.strip().toLowerCase(Locale.ROOT).split("x");
      try {
        if (wh.length == 2) {
          return new Size(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new IllegalArgumentException(
          "image size must be WIDTHxHEIGHT such as 640x480, got '" + text + "'");
    }
  }

  private SyntheticImages() {}

  /** {@code count} PNG images cycling through {@code sizes}, deterministic for {@code seed}. */
  public static List<byte[]> png(List<Size> sizes, int count, long seed) {
    if (sizes.isEmpty() || count < 1) {
      throw new IllegalArgumentException("need at least one size and one image");
    }
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Size size = sizes.get(i % sizes.size());
      BufferedImage image =
          new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_RGB);
      Graphics2D g = image.createGraphics();
      g.setPaint(
          new java.awt.GradientPaint(
              0,
              0,
              new Color(random.nextInt(0xFFFFFF)),
              size.width(),
              size.height(),
              new Color(random.nextInt(0xFFFFFF))));
      g.fillRect(0, 0, size.width(), size.height());
      for (int s = 0; s < 12; s++) {
        g.setColor(new Color(random.nextInt(0xFFFFFF)));
        int w = 1 + random.nextInt(Math.max(1, size.width() / 3));
        int h = 1 + random.nextInt(Math.max(1, size.height() / 3));
        g.fillOval(random.nextInt(size.width()), random.nextInt(size.height()), w, h);
      }
      g.dispose();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        ImageIO.write(image, "png", bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.add(bytes.toByteArray());
    }
    return out;
  }
}
