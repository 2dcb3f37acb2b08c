package io.flexserve.toolchain;

import io.flexserve.convert.vision.SyntheticVision;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve synth-vision --preset vit-b16 --out DIR}: a random-weight RADIO checkpoint in
 * the layout of NVlabs/RADIO's export, since no real RADIO weights can be fetched here.
 */
@Command(
    name = "synth-vision",
    description =
        "Write a synthetic (random-weight) RADIO ViT checkpoint (safetensors + config.json).")
public final class SynthVisionCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Checkpoint directory to write.")
  Path out;

  @Option(
      names = "--preset",
      defaultValue = "vit-b16",
      description = "Model shape: vit-b16 or tiny (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--dtype",
      defaultValue = "F32",
      description = "F32, F16 or BF16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Override
  public Integer call() throws Exception {
    SyntheticVision.Spec spec = SyntheticVision.preset(preset);
    SyntheticVision.write(out, spec, seed, dtype);
    System.out.printf(
        "wrote %s: %s (hidden %d, %d blocks, %d heads, MLP %d, patch %d, %d CLS + %d registers, %d×%d position grid), %s%n",
        out.toAbsolutePath(),
        preset,
        spec.hidden(),
        spec.layers(),
        spec.heads(),
        spec.mlp(),
        spec.patch(),
        spec.clsTokens(),
        spec.registers(),
        spec.posGrid(),
        spec.posGrid(),
        dtype);
    return 0;
  }
}
