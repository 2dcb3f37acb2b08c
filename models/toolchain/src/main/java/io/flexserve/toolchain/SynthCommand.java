package io.flexserve.toolchain;

import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve synth --preset 100m --out DIR}: a random-weight Llama checkpoint in Hugging Face
 * layout, for speed and memory benchmarks of shapes no real checkpoint here has.
 */
@Command(
    name = "synth",
    description = "Write a synthetic (random-weight) Llama checkpoint in Hugging Face layout.")
public final class SynthCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      required = true,
      description = "Checkpoint directory to write (replaced if it exists).")
  Path out;

  @Option(
      names = "--preset",
      defaultValue = "100m",
      description = "Model shape: 100m or tiny (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--shards",
      defaultValue = "1",
      description = "Safetensors shards (default: ${DEFAULT-VALUE}).")
  int shards;

  @Option(
      names = "--dtype",
      defaultValue = "F32",
      description = "F32, F16 or BF16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Override
  public Integer call() throws Exception {
    LlamaConfig config = SyntheticCheckpoint.preset(preset);
    SyntheticCheckpoint.write(out, config, seed, shards, dtype);
    System.out.printf(
        "wrote %s: %s, %.1fM parameters, %d shard(s) of %s%n",
        out.toAbsolutePath(), preset, config.parameterCount() / 1e6, shards, dtype);
    return 0;
  }
}
