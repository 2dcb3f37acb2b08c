package io.flexserve.convert.compress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Learned 2:4 masks in the layout MaskLLM (Fang et al., 2024) exports: one {@code .npz} archive (a
 * zip of {@code .npy} files, stored or deflated) with one entry per linear layer, named by the
 * layer's Hugging Face weight name ({@code model.layers.0.mlp.gate_proj.weight.npy}; a trailing
 * {@code .weight} may be left out). Each entry is either
 *
 * <ul>
 *   <li>{@code np.packbits(mask)} of the boolean keep-mask {@code [out, in]}: a 1-D {@code uint8}
 *       array of ceil(out·in / 8) bytes, most significant bit first (numpy's default {@code
 *       bitorder='big'}), or {@code np.packbits(mask, axis=-1)}: {@code uint8 [out, ceil(in / 8)]},
 *       each row padded to whole bytes; or
 *   <li>the unpacked boolean mask itself ({@code |b1} or {@code |u1}, shape {@code [out, in]}).
 * </ul>
 *
 * True (bit 1) keeps the weight. Masks are in the checkpoint's own order of inputs and outputs.
 */
public final class MaskLlmMasks {
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");

  private final Map<String, Npy> entries;

  private MaskLlmMasks(Map<String, Npy> entries) {
    this.entries = entries;
  }

  /** One {@code .npy} array: dtype descriptor, shape and raw little-endian bytes. */
  private record Npy(String descr, long[] shape, byte[] data) {}

  public static MaskLlmMasks read(Path npz) throws IOException {
    Map<String, Npy> entries = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(npz.toFile())) {
      Enumeration<? extends ZipEntry> all = zip.entries();
      while (all.hasMoreElements()) {
        ZipEntry e = all.nextElement();
        String name =
            e.getName().endsWith(".npy")
                ? e.getName().substring(0, e.getName().length() - 4)
                : e.getName();
        try (InputStream in = zip.getInputStream(e)) {
          entries.put(name, parse(in.readAllBytes(), npz + ":" + e.getName()));
        }
      }
    }
    return new MaskLlmMasks(entries);
  }

  /**
   * Whether the archive has a mask for Hugging Face weight {@code name} (with or without {@code
   * .weight}).
   */
  public boolean has(String name) {
    return find(name) != null;
  }

  /**
   * The keep-mask of {@code name} as {@code [out, in]} booleans.
   *
   * @throws IllegalArgumentException when absent or when its size does not fit {@code [out, in]}
   */
  public boolean[] mask(String name, int out, int in) {
    Npy npy = find(name);
    if (npy == null) {
      throw new IllegalArgumentException(
          "mask archive has no entry for " + name + " (entries: " + entries.keySet() + ")");
    }
    boolean[] keep = new boolean[out * in];
    long elements = 1;
    for (long d : npy.shape()) {
      elements *= d;
    }
    boolean bool =
        npy.descr().endsWith("b1") || (npy.descr().endsWith("u1") && elements == (long) out * in);
    if (bool) {
      check(elements == (long) out * in, name, npy, out, in);
      for (int i = 0; i < keep.length; i++) {
        keep[i] = npy.data()[i] != 0;
      }
    } else if (npy.shape().length == 2) {
      int rowBytes = (in + 7) / 8;
      check(npy.shape()[0] == out && npy.shape()[1] == rowBytes, name, npy, out, in);
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          keep[o * in + i] = bit(npy.data(), o * rowBytes, i);
        }
      }
    } else {
      check(elements == ((long) out * in + 7) / 8, name, npy, out, in);
      for (int i = 0; i < keep.length; i++) {
        keep[i] = bit(npy.data(), 0, i);
      }
    }
    return keep;
  }

  private Npy find(String name) {
    Npy npy = entries.get(name);
    if (npy == null && name.endsWith(".weight")) {
      npy = entries.get(name.substring(0, name.length() - ".weight".length()));
    }
    return npy;
  }

  private static boolean bit(byte[] data, int rowStart, int i) {
    return ((data[rowStart + i / 8] >> (7 - i % 8)) & 1) != 0;
  }

  private static void check(boolean ok, String name, Npy npy, int out, int in) {
    if (!ok) {
      throw new IllegalArgumentException(
          "mask "
              + name
              + " ("
              + npy.descr()
              + " "
              + java.util.Arrays.toString(npy.shape())
              + ") does not fit a ["
              + out
              + ", "
              + in
              + "] layer");
    }
  }

  /** Parses an {@code .npy} v1–v3 file of a 1-byte dtype in C order. */
  static Npy parse(byte[] b, String where) throws IOException {
    if (b.length < 10
        || (b[0] & 0xff) != 0x93
        || b[1] != 'N'
        || b[2] != 'U'
        || b[3] != 'M'
        || b[4] != 'P'
        || b[5] != 'Y') {
      throw new IOException(where + ": not an .npy array");
    }
    int major = b[6];
    int headerLen =
        major == 1
            ? (b[8] & 0xff) | (b[9] & 0xff) << 8
            : (b[8] & 0xff) | (b[9] & 0xff) << 8 | (b[10] & 0xff) << 16 | (b[11] & 0xff) << 24;
    int start = major == 1 ? 10 : 12;
    String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
    if (header.contains("'fortran_order': True")) {
      throw new IOException(where + ": Fortran-order arrays are not supported");
    }
    Matcher d = DESCR.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !s.find()) {
      throw new IOException(where + ": unreadable .npy header " + header);
    }
    String descr = d.group(1);
    if (!descr.endsWith("u1") && !descr.endsWith("b1") && !descr.endsWith("i1")) {
      throw new IOException(where + ": masks must be uint8 (packbits) or bool, got dtype " + descr);
    }
    String[] dims = s.group(1).split(",");
    long[] shape =
        java.util.Arrays.stream(dims)
            .map(String::strip)
            .filter(x -> !x.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    byte[] data = java.util.Arrays.copyOfRange(b, start + headerLen, b.length);
    return new Npy(descr, shape, data);
  }
}
