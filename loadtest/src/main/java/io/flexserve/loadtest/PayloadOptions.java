package io.flexserve.loadtest;

import io.flexserve.loadtest.workload.Payloads;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options choosing the texts to embed; shared by {@code run} and {@code sweep}. */
final class PayloadOptions {
  @Option(
      names = "--text-file",
      paramLabel = "FILE",
      description = "Inputs, one per line, used round-robin (default: 20 built-in sentences).")
  Path textFile;

  @Option(
      names = "--inputs-per-request",
      defaultValue = "1",
      description = "Inputs per request (default: ${DEFAULT-VALUE}).")
  int inputsPerRequest;

  /**
   * The text pool.
   *
   * @throws IllegalArgumentException naming the bad value, including a file that cannot be read
   */
  Payloads payloads() {
    if (textFile == null) {
      return Payloads.builtIn(inputsPerRequest);
    }
    try {
      return Payloads.fromFile(textFile, inputsPerRequest);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --text-file " + textFile + ": " + e, e);
    }
  }
}
