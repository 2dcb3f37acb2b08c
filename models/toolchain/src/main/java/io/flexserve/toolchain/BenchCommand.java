package io.flexserve.toolchain;

import picocli.CommandLine.Command;

/**
 * {@code flexserve bench <fidelity|memory|overhead|generation|switching|eora|eora-encoder|vision>}:
 * the benchmark commands behind BENCHMARKS.md.
 */
@Command(
    name = "bench",
    description = "Benchmarks that print the figures recorded in BENCHMARKS.md.",
    subcommands = {
      FidelityBench.class,
      MemoryBench.class,
      OverheadBench.class,
      GenerationBench.class,
      SwitchingBench.class,
      EoraBench.class,
      EncoderEoraBench.class,
      VisionBench.class,
      PrecisionBench.class
    })
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }
}
