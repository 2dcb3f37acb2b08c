package io.flexserve.toolchain;

import io.flexserve.convert.compress.CompressionPlan;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags of a compression quality table (a picocli mixin): which compressions, int4 block size,
 * compensation ranks.
 */
final class CompressionTableOptions {
  @Option(
      names = "--compress",
      description =
          "A compression to tabulate: int8, int4, 2:4-magnitude, 2:4-wanda, 2:4-mask=FILE, or a "
              + "combination such as int4+2:4-wanda (repeatable).")
  List<String> compress = new ArrayList<>();

  @Option(
      names = "--block-size",
      defaultValue = "32",
      description = "int4 block size (default: ${DEFAULT-VALUE}).")
  int blockSize;

  @Option(
      names = "--ranks",
      split = ",",
      defaultValue = "4,8,16",
      description = "Compensation ranks (default: ${DEFAULT-VALUE}).")
  List<Integer> ranks;

  /** The named compressions, or {@code defaults} when none was given. */
  List<CompressionPlan> plans(List<String> defaults) {
    return (compress.isEmpty() ? defaults : compress)
        .stream().map(s -> CompressionOptions.spec(s, blockSize)).toList();
  }
}
