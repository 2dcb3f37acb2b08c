package io.flexserve.loadtest.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The native sender's executable: its C source ships in the jar and is compiled with {@code gcc
 * -O2} at first use into {@code ${java.io.tmpdir}/flexserve-native-sender-<hash>/}, keyed by the
 * source's SHA-256, so a changed source gets a new binary and an unchanged one is compiled once per
 * machine.
 */
public final class NativeBinary {
  /*
   * Why compile at run time rather than ship a binary: the sender is one small file of libc calls,
   * the machines that run the load tester (CI included) have gcc, and a binary built here matches
   * this machine's kernel headers and libc. The compiler can be changed with
   * -Dflexserve.loadtest.cc (the tests name a missing one to check the error).
   *
   * Concurrency: two JVMs may compile at once; each writes its own temporary file and renames it
   * into place atomically, so a reader sees a whole binary or none.
   */
  static final String SOURCE = "native-sender.c";

  private static volatile Path compiled;

  private NativeBinary() {}

  /**
   * Returns the executable, compiling it first if this machine has no binary of this source yet.
   *
   * @throws IllegalArgumentException when the compiler is missing or fails; the message names it
   *     and says how to do without ({@code --sender netty})
   */
  public static Path path() {
    Path p = compiled;
    if (p == null) {
      synchronized (NativeBinary.class) {
        if (compiled == null) {
          compiled =
              compile(
                  System.getProperty("flexserve.loadtest.cc", "gcc"),
                  Path.of(System.getProperty("java.io.tmpdir")));
        }
        p = compiled;
      }
    }
    return p;
  }

  /** Compiles the source with {@code compiler} under {@code cacheRoot}, unless already there. */
  static Path compile(String compiler, Path cacheRoot) {
    byte[] source = source();
    Path dir = cacheRoot.resolve("flexserve-native-sender-" + hash(source));
    Path binary = dir.resolve("native-sender");
    if (Files.isExecutable(binary)) {
      return binary;
    }
    try {
      Files.createDirectories(dir);
      Path src = Files.createTempFile(dir, "native-sender", ".c");
      Path out = Files.createTempFile(dir, "native-sender", ".tmp");
      try {
        Files.write(src, source);
        List<String> command = List.of(compiler, "-O2", "-o", out.toString(), src.toString());
        Process gcc;
        try {
          gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
          throw new IllegalArgumentException(
              "--sender native compiles its sender with "
                  + compiler
                  + ", which could not be run ("
                  + e.getMessage()
                  + "); install gcc or use --sender netty",
              e);
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = gcc.waitFor();
        if (rc != 0) {
          throw new IllegalArgumentException(
              "--sender native: "
                  + compiler
                  + " failed (exit "
                  + rc
                  + ") compiling "
                  + SOURCE
                  + "; use --sender netty\n"
                  + output);
        }
        try {
          Files.move(out, binary, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(out, binary, StandardCopyOption.REPLACE_EXISTING);
        }
        return binary;
      } finally {
        Files.deleteIfExists(src);
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--sender native: cannot build the sender under " + dir + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalArgumentException("--sender native: interrupted while compiling", e);
    }
  }

  private static byte[] source() {
    try (InputStream in = NativeBinary.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SOURCE + " is missing from the load tester's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SOURCE + ": " + e, e);
    }
  }

  private static String hash(byte[] bytes) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
