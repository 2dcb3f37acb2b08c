package io.flexserve.server.vision;

import io.flexserve.server.config.VisionSettings;
import io.flexserve.server.errors.ApiException;
import jakarta.inject.Singleton;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG and PNG images to RGB, refusing what would be expensive before paying for it.
 *
 * <p>Order of checks, cheapest first: empty (400), over {@code maxImageBytes} (413), not a JPEG or
 * PNG by its content (400), declared width × height from the header over {@code maxImagePixels}
 * (413, no pixel decoded: how a 20000×20000 or a decompression bomb of a few KB is refused in
 * microseconds), then the decode itself, where a truncated or corrupt stream is a 400. ImageIO's
 * JPEG reader only warns on a premature end of data and returns a half-grey image; warnings are
 * turned into errors here so a truncated JPEG is refused, not embedded.
 *
 * <p>Threading: thread-safe; at most {@code maxConcurrentDecodes} decodes run at once (a
 * semaphore), which bounds decoding memory to about that many times the largest allowed image.
 */
@Singleton
public final class ImageDecoder {
  private final VisionSettings settings;
  private final Semaphore slots;

  public ImageDecoder(VisionSettings settings) {
    this.settings = settings;
    this.slots = new Semaphore(settings.maxConcurrentDecodes(), true);
    ImageIO.setUseCache(false); // decode in memory; never spill request data to temporary files
  }

  /** The image as {@code TYPE_INT_RGB} (alpha dropped, grey expanded). */
  public BufferedImage decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new ApiException.BadRequest("empty_image", "the image is empty (0 bytes)");
    }
    if (bytes.length > settings.maxImageBytes()) {
      throw new ApiException.TooLarge(
          "image_too_large",
          "the image has "
              + bytes.length
              + " bytes; the limit is "
              + settings.maxImageBytes()
              + " (FLEXSERVE_VISION_MAX_IMAGE_BYTES)");
    }
    slots.acquireUninterruptibly();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = reader(in);
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new ApiException.BadRequest(
              "corrupt_image", "the image declares a size of " + width + "×" + height);
        }
        if (width * height > settings.maxImagePixels()) {
          throw new ApiException.TooLarge(
              "image_too_large",
              "the image declares "
                  + width
                  + "×"
                  + height
                  + " = "
                  + width * height
                  + " pixels; the limit is "
                  + settings.maxImagePixels()
                  + " (FLEXSERVE_VISION_MAX_IMAGE_PIXELS)");
        }
        String[] warning = new String[1];
        reader.addIIOReadWarningListener((source, message) -> warning[0] = message);
        BufferedImage image = reader.read(0);
        if (warning[0] != null) {
          throw new ApiException.BadRequest("corrupt_image", "the image is damaged: " + warning[0]);
        }
        return rgb(image);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ApiException a) {
        throw a;
      }
      throw new ApiException.BadRequest(
          "corrupt_image", "the image cannot be decoded: " + e.getMessage());
    } finally {
      slots.release();
    }
  }

  private static ImageReader reader(ImageInputStream in) {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    while (readers.hasNext()) {
      ImageReader r = readers.next();
      try {
        String format = r.getFormatName().toLowerCase(Locale.ROOT);
        if (format.equals("jpeg") || format.equals("jpg") || format.equals("png")) {
          return r;
        }
      } catch (IOException e) {
        // unreadable format name: not one of ours
      }
      r.dispose();
    }
    throw new ApiException.BadRequest("unsupported_image", "the body is not a JPEG or PNG image");
  }

  private static BufferedImage rgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    BufferedImage out =
        new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
