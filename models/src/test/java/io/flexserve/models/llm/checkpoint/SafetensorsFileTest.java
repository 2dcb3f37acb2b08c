package io.flexserve.models.llm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path tmp;

  /**
   * Exactly representable in F16 and in BF16 (8 significant bits, exponents within both ranges).
   */
  private static final float[] EXACT = {
    0f, -0f, 1f, -2f, 0.5f, 1.5f, -0.25f, 3f, 1.0078125f, 96f, -1024f, 0.015625f
  };

  private static LinkedHashMap<String, float[]> sample(float[] random) {
    LinkedHashMap<String, float[]> tensors = new LinkedHashMap<>();
    tensors.put("exact", EXACT);
    tensors.put("random", random);
    return tensors;
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
    }
    return v;
  }

  private static Map<String, long[]> shapes(int randomRows) {
    return Map.of("exact", new long[] {3, 4}, "random", new long[] {randomRows, 10});
  }

  @Test
  void readsTinyStoriesTensorAsAnIndependentParseDoes() throws Exception {
    Path file = TestFiles.tinyStories().resolve("model.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertEquals(47, f.tensors().size());
      SafetensorsFile.TensorInfo norm = f.tensors().get("model.norm.weight");
      assertEquals("F32", norm.dtype());
      assertArrayEquals(new long[] {64}, norm.shape());
      for (String name :
          new String[] {"model.norm.weight", "model.layers.2.self_attn.k_proj.weight"}) {
        float[] expected = TestFiles.manualF32(file, name);
        assertArrayEquals(expected, f.floats(name), name);
        assertArrayEquals(expected, f.floats(name, 64), name + " in 64-byte mappings");
      }
      assertTrue(f.floats("model.norm.weight")[0] != 0f);
    }
  }

  @Test
  void f32RoundTripIsExact() throws Exception {
    float[] random = random(500, 1);
    Path file = tmp.resolve("f32.safetensors");
    SafetensorsFile.write(file, sample(random), shapes(50), "F32");
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertArrayEquals(EXACT, f.floats("exact"));
      assertArrayEquals(random, f.floats("random"));
      assertArrayEquals(new long[] {50, 10}, f.tensors().get("random").shape());
      long headerLength =
          ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, headerLength % 8, "data section 8-byte aligned");
    }
  }

  @Test
  void f16RoundTripWithinHalfPrecision() throws Exception {
    roundTrip("F16", 11);
  }

  @Test
  void bf16RoundTripWithinBfloatPrecision() throws Exception {
    roundTrip("BF16", 8);
  }

  /** Round to nearest keeps relative error within half an ulp: 2^-(significand bits). */
  private void roundTrip(String dtype, int significandBits) throws Exception {
    float[] random = random(500, 2);
    Path file = tmp.resolve(dtype + ".safetensors");
    SafetensorsFile.write(file, sample(random), shapes(50), dtype);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertEquals(dtype, f.tensors().get("random").dtype());
      assertEquals(1000, f.tensors().get("random").bytes());
      assertArrayEquals(EXACT, f.floats("exact"));
      float[] back = f.floats("random");
      assertArrayEquals(back, f.floats("random", 6), "chunked mappings agree");
      double bound = Math.pow(2, -significandBits);
      for (int i = 0; i < random.length; i++) {
        double tolerance = Math.abs(random[i]) * bound + (dtype.equals("F16") ? 0x1p-25 : 0);
        assertEquals(random[i], back[i], tolerance, "value " + i);
      }
    }
  }

  @Test
  void halfConversionsAgreeWithTheDefinitionOnEveryBitPattern() {
    for (int bits = 0; bits < 0x10000; bits++) {
      int exponent = (bits >>> 10) & 0x1f;
      int mantissa = bits & 0x3ff;
      double sign = (bits & 0x8000) != 0 ? -1 : 1;
      float f16 = HalfFloats.f16ToFloat((short) bits);
      if (exponent == 0x1f) {
        assertTrue(mantissa == 0 ? Float.isInfinite(f16) : Float.isNaN(f16));
        assertTrue(
            Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(f16))) == (mantissa != 0));
      } else {
        double expected =
            exponent == 0
                ? sign * mantissa * Math.pow(2, -24)
                : sign * (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
        assertEquals(expected, f16, 0, "f16 bits " + Integer.toHexString(bits));
        assertEquals(
            (short) bits, HalfFloats.floatToF16(f16), "f16 bits " + Integer.toHexString(bits));
      }
      float bf16 = HalfFloats.bf16ToFloat((short) bits);
      assertEquals(Float.intBitsToFloat(bits << 16), bf16, 0);
      if (!Float.isNaN(bf16)) {
        assertEquals(
            (short) bits, HalfFloats.floatToBf16(bf16), "bf16 bits " + Integer.toHexString(bits));
      } else {
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(bf16))));
      }
    }
  }

  @Test
  void halfRoundingTiesToEvenAndOverflowsToInfinity() {
    assertEquals(1f, f16(1 + 0x1p-11f)); // tie between 1 and 1 + 2^-10: even is 1
    assertEquals(1 + 0x1p-9f, f16(1 + 3 * 0x1p-11f)); // tie: even is 1 + 2^-9
    assertEquals(1 + 0x1p-10f, f16(1 + 0x1p-11f + 0x1p-20f)); // just above the tie
    assertEquals(65504f, f16(65519f));
    assertEquals(Float.POSITIVE_INFINITY, f16(65520f));
    assertEquals(Float.NEGATIVE_INFINITY, f16(-1e6f));
    assertEquals(0x1p-24f, f16(0x1p-24f)); // smallest subnormal
    assertEquals(0f, f16(0x1p-25f)); // tie with 0: even is 0
    assertEquals(0x1p-23f, f16(3 * 0x1p-25f)); // 1.5 units: even is 2
    assertEquals(0x1p-14f, f16(0x1p-14f - 0x1p-26f)); // rounds up into the smallest normal
    assertTrue(Float.isNaN(f16(Float.NaN)));
    assertEquals(1f, bf16(1 + 0x1p-8f)); // tie: even is 1
    assertEquals(1 + 0x1p-6f, bf16(1 + 3 * 0x1p-8f)); // tie: even is 1 + 2^-6
    assertEquals(Float.POSITIVE_INFINITY, bf16(Float.MAX_VALUE));
    assertTrue(Float.isNaN(bf16(Float.NaN)));
  }

  private static float f16(float v) {
    return HalfFloats.f16ToFloat(HalfFloats.floatToF16(v));
  }

  private static float bf16(float v) {
    return HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v));
  }

  @Test
  void truncatedFileNamesFileAndTensor() throws Exception {
    Path original = TestFiles.tinyStories().resolve("model.safetensors");
    String last;
    long dataSize;
    try (SafetensorsFile f = SafetensorsFile.open(original)) {
      SafetensorsFile.TensorInfo end =
          f.tensors().values().stream().max((a, b) -> Long.compare(a.end(), b.end())).orElseThrow();
      last = end.name();
      dataSize = end.end();
    }
    Path copy = tmp.resolve("model.safetensors");
    Files.copy(original, copy);
    copy.toFile().setWritable(true);
    try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      c.truncate(Files.size(copy) - 100);
    }
    String message =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(copy)).getMessage();
    assertTrue(
        message.startsWith("model.safetensors: truncated: tensor " + last + " needs bytes ["),
        message);
    assertTrue(
        message.endsWith("but the file data section has " + (dataSize - 100) + " bytes"), message);

    try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      c.truncate(1000);
    }
    message =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(copy)).getMessage();
    assertTrue(message.startsWith("model.safetensors: truncated: header needs"), message);
  }

  @Test
  void unsupportedDtypeNamesTensorAndDtype() throws Exception {
    Path file = tmp.resolve("ints.safetensors");
    TestFiles.raw(
        file,
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"ok\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"ids\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
        new byte[16]);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertArrayEquals(new float[2], f.floats("ok"));
      String message = assertThrows(CheckpointException.class, () -> f.floats("ids")).getMessage();
      assertEquals(
          "ints.safetensors: tensor ids has dtype I32; only F32, F16 and BF16 convert to float",
          message);
      assertEquals(
          "ints.safetensors: missing tensor nope",
          assertThrows(CheckpointException.class, () -> f.floats("nope")).getMessage());
    }
  }

  @Test
  void inconsistentHeadersAreRejected() throws Exception {
    Path file = tmp.resolve("bad.safetensors");
    TestFiles.raw(
        file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[16]);
    String size =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file)).getMessage();
    assertTrue(
        size.startsWith(
            "bad.safetensors: tensor w: data_offsets [0, 8) hold 8 bytes but F32 [3] needs 12"),
        size);
    TestFiles.raw(
        file, "{\"w\":{\"dtype\":\"Q4\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[16]);
    assertTrue(
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file))
            .getMessage()
            .contains("tensor w: unknown dtype 'Q4'"));
    TestFiles.raw(
        file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}", new byte[16]);
    assertTrue(
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file))
            .getMessage()
            .startsWith("bad.safetensors header: malformed JSON"));
    TestFiles.raw(
        file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[16]);
    assertTrue(
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file))
            .getMessage()
            .contains("tensor w: field shape must be"));
    ByteBuffer garbage = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
    Files.write(file, garbage.array());
    assertTrue(
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file))
            .getMessage()
            .contains("header length 1099511627776 is not plausible"));
  }
}
