package io.flexserve.models.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@code .npy} arrays as numpy's {@code np.save} does (format 1.0), for mask-archive tests.
 */
public final class Npy {
  private Npy() {}

  /**
   * A version-1 {@code .npy} file of {@code data} with dtype {@code descr} and shape {@code shape}
   * (e.g. "(3,)").
   */
  public static byte[] file(String descr, String shape, byte[] data) throws IOException {
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    header += " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    out.write(data);
    return out.toByteArray();
  }

  /**
   * {@code np.save} of {@code np.packbits(mask, axis=-1)}: uint8 [out, ceil(in/8)], most
   * significant bit first.
   */
  public static byte[] packedRows(boolean[] keep, int out, int in) throws IOException {
    int rowBytes = (in + 7) / 8;
    byte[] data = new byte[out * rowBytes];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        if (keep[o * in + i]) {
          data[o * rowBytes + i / 8] |= (byte) (0x80 >>> (i % 8));
        }
      }
    }
    return file("|u1", "(" + out + ", " + rowBytes + ")", data);
  }
}
