package io.flexserve.server.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexserve.models.vision.Pixels;
import io.flexserve.server.api.ServerHarness;
import io.flexserve.server.catalog.ModelCatalog;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad images get 400 or 413 quickly, in the one JSON error shape, without decoding what the limits
 * forbid, and the server answers a good image right after. Limits here: 200 000 image bytes, 16
 * megapixels (the default).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadImageTest implements TestPropertyProvider {
  static final ObjectMapper JSON = new ObjectMapper();
  @Inject EmbeddedServer server;
  @Inject ModelCatalog catalog;
  ServerHarness http;

  @Override
  public Map<String, String> getProperties() {
    return VisionRepository.serverProperties("flexserve.vision.max-image-bytes", "200000");
  }

  @BeforeEach
  void ready() throws Exception {
    http = new ServerHarness(server, catalog);
  }

  record Case(String name, byte[] body, String contentType, int status, String code) {}

  @TestFactory
  Stream<DynamicTest> everyBadImage_isRefusedFast_withoutDecodingIt() throws Exception {
    byte[] jpeg = VisionRepository.encode(Pixels.synthetic(128, 1), "jpeg");
    byte[] png = VisionRepository.encode(Pixels.synthetic(64, 2), "png");
    List<Case> cases =
        List.of(
            new Case("0 bytes", new byte[0], "image/jpeg", 400, "empty_image"),
            new Case(
                "truncated JPEG",
                Arrays.copyOf(jpeg, jpeg.length / 2),
                "image/jpeg",
                400,
                "corrupt_image"),
            new Case(
                "truncated PNG",
                Arrays.copyOf(png, png.length / 2),
                "image/png",
                400,
                "corrupt_image"),
            new Case("wrong content type", png, "text/plain", 400, "unsupported_media_type"),
            new Case(
                "text sent as an image",
                "hello, not an image".getBytes(),
                "image/png",
                400,
                "unsupported_image"),
            new Case(
                "20000×20000 declared",
                pngHeaderOnly(20000, 20000),
                "image/png",
                413,
                "image_too_large"),
            new Case(
                "decompression bomb (12000×12000 of zeros, ~140 KB)",
                bomb(12000, 12000),
                "image/png",
                413,
                "image_too_large"),
            new Case("over the byte limit", noisePng(300), "image/png", 413, "image_too_large"));
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      System.gc();
                      Runtime rt = Runtime.getRuntime();
                      long usedBefore = rt.totalMemory() - rt.freeMemory();
                      long start = System.nanoTime();
                      HttpResponse<String> r =
                          RawHttp.post(
                              server.getURI(), "/v1/vision/features", c.body(), c.contentType());
                      double ms = (System.nanoTime() - start) / 1e6;
                      long grown = rt.totalMemory() - rt.freeMemory() - usedBefore;
                      assertEquals(c.status(), r.statusCode(), r.body());
                      JsonNode error = JSON.readTree(r.body()).get("error");
                      assertEquals(c.code(), error.get("code").asText(), r.body());
                      assertTrue(error.get("message").asText().length() > 0);
                      assertTrue(ms < 1000, c.name() + " took " + ms + " ms");
                      // A decoded 12000×12000 image alone would be 576 MB; refusing it must not
                      // allocate anything like that.
                      assertTrue(
                          grown < 64L << 20,
                          c.name() + " grew the heap by " + (grown >> 20) + " MB");
                      HttpResponse<String> good =
                          RawHttp.post(server.getURI(), "/v1/vision/features", png, "image/png");
                      assertEquals(200, good.statusCode(), good.body());
                    }));
  }

  /**
   * A PNG signature and IHDR declaring {@code w×h}, then nothing: the size is all a reader can
   * learn.
   */
  static byte[] pngHeaderOnly(int w, int h) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ihdr(w, h));
    return out.toByteArray();
  }

  /**
   * A complete, valid 8-bit greyscale PNG of zeros: tiny on the wire, {@code w·h} bytes once
   * decoded.
   */
  static byte[] bomb(int w, int h) throws Exception {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] row = new byte[w + 1]; // filter byte 0 + zero pixels
    byte[] buf = new byte[1 << 16];
    for (int y = 0; y < h; y++) {
      deflater.setInput(row);
      while (!deflater.needsInput()) {
        idat.write(buf, 0, deflater.deflate(buf));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      idat.write(buf, 0, deflater.deflate(buf));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(pngHeaderOnly(w, h));
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  static byte[] noisePng(int side) throws Exception {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    SplittableRandom r = new SplittableRandom(5);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    byte[] bytes = VisionRepository.encode(img, "png");
    assertTrue(bytes.length > 200_000, "noise PNG of " + bytes.length + " bytes");
    return bytes;
  }

  private static byte[] ihdr(int w, int h) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(w);
    d.writeInt(h);
    d.writeByte(8); // bit depth
    d.writeByte(0); // greyscale
    d.writeByte(0);
    d.writeByte(0);
    d.writeByte(0);
    return b.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    d.write(t);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
