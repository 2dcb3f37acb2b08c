package io.flexserve.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The configured API keys, kept only as SHA-256 digests. {@link #match} compares a candidate
 * against every key with {@link MessageDigest#isEqual} over digests of equal length, without
 * stopping at a match, so the time taken reveals neither which key matched nor how long a matching
 * prefix was. Keys are never logged or put in messages.
 */
public final class ApiKeys {
  private final byte[][] digests;

  private ApiKeys(Set<String> keys) {
    this.digests = keys.stream().map(ApiKeys::sha256).toArray(byte[][]::new);
  }

  /**
   * Keys from a comma-separated list and/or a file with one key per line ({@code #} starts a
   * comment line).
   *
   * @param commaSeparated e.g. {@code FLEXSERVE_API_KEYS}; blank for none
   * @param file e.g. a mounted Kubernetes Secret; blank for none. A file that is named but missing,
   *     unreadable or without keys fails start-up: serving without authentication by mistake would
   *     be worse.
   */
  public static ApiKeys of(String commaSeparated, String file) {
    return new ApiKeys(read(commaSeparated, file));
  }

  /**
   * The first key {@link #of} would read from the same settings, for the server's own requests (its
   * warm-up); empty when authentication is off.
   */
  public static java.util.Optional<String> first(String commaSeparated, String file) {
    return read(commaSeparated, file).stream().findFirst();
  }

  private static Set<String> read(String commaSeparated, String file) {
    Set<String> keys = new LinkedHashSet<>();
    if (commaSeparated != null) {
      for (String k : commaSeparated.split(",")) {
        if (!k.isBlank()) {
          keys.add(k.strip());
        }
      }
    }
    if (file != null && !file.isBlank()) {
      List<String> fromFile = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
          String k = line.strip();
          if (!k.isEmpty() && !k.startsWith("#")) {
            fromFile.add(k);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("flexserve.api-keys-file " + file + " cannot be read", e);
      }
      if (fromFile.isEmpty()) {
        throw new IllegalArgumentException("flexserve.api-keys-file " + file + " holds no keys");
      }
      keys.addAll(fromFile);
    }
    return keys;
  }

  /** Whether any key is configured (authentication on). */
  public boolean enabled() {
    return digests.length > 0;
  }

  /** How many distinct keys are configured. */
  public int size() {
    return digests.length;
  }

  /**
   * The index of the configured key equal to {@code candidate}, or -1. Checks every key, in
   * constant time per key.
   */
  public int match(String candidate) {
    byte[] d = sha256(candidate == null ? "" : candidate);
    int found = -1;
    for (int i = 0; i < digests.length; i++) {
      boolean eq = MessageDigest.isEqual(d, digests[i]);
      found = eq ? i : found;
    }
    return found;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
