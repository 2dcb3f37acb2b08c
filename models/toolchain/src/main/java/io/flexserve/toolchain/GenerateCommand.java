package io.flexserve.toolchain;

import io.flexserve.convert.llm.GreedyDecoder;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.runtime.SessionConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve generate --bundle B --subnet S --prompt TEXT}: greedy continuation on one
 * sub-network.
 */
@Command(
    name = "generate",
    description = "Greedy text generation on one sub-network of an elastic decoder bundle.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--bundle", required = true, description = "Elastic decoder bundle directory.")
  Path bundle;

  @Option(
      names = "--subnet",
      defaultValue = "full",
      description = "Sub-network (default: ${DEFAULT-VALUE}).")
  String subnet;

  @Option(names = "--prompt", required = true, description = "Prompt text.")
  String prompt;

  @Option(
      names = "--max-tokens",
      defaultValue = "64",
      description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "ONNX Runtime threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    try (ElasticDecoder decoder =
        ElasticDecoder.load(bundle, SessionConfig.cpu(threads), subnet::equals)) {
      long[] ids = decoder.tokenizer().encode(prompt);
      if (ids.length + maxTokens > decoder.config().maxPositions()) {
        throw new IllegalArgumentException(
            "prompt ("
                + ids.length
                + " tokens) + --max-tokens "
                + maxTokens
                + " exceeds the context of "
                + decoder.config().maxPositions());
      }
      long t0 = System.nanoTime();
      GreedyDecoder.Output out =
          GreedyDecoder.generate(
              decoder.session(subnet),
              ids,
              maxTokens,
              new HashSet<>(decoder.config().eosTokenIds()));
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.println(prompt + decoder.tokenizer().continuation(ids, out.tokens()));
      System.err.printf(
          "[%s: %d prompt + %d generated tokens in %.2f s, %.1f tokens/s]%n",
          subnet, ids.length, out.tokens().size(), seconds, out.tokens().size() / seconds);
    }
    return 0;
  }
}
