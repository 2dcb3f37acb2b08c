package io.flexserve.distill;

import io.flexserve.convert.encoder.SimilaritySet;
import io.flexserve.models.BundleFormat;
import io.flexserve.models.Distillation;
import io.flexserve.models.encoder.EncoderManifest;
import io.flexserve.models.llm.DecoderManifest;
import io.flexserve.models.weights.StagedDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flexserve distill}: elastic continued training of a converted bundle (decoder or encoder).
 * The student is the bundle's one nested weight copy; the teacher its full sub-network as it came.
 * Each step trains the largest and the smallest sub-network and {@code --others} sampled ones;
 * after training every sub-network is re-measured on held-out data and a bundle the server loads
 * unchanged is written: the same graphs, the same weight layout, new values and new qualities in
 * the manifest.
 *
 * <p><b>Why one class of 420 lines.</b> It is the command: its options, their checks before any
 * work (bundle, texts, quality set, output), and the report. The training itself is {@link
 * Distiller} and the tasks' own classes ({@link DecoderTask}, {@link EncoderTask}).
 */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Elastic distillation of a converted bundle: every sub-network trained against the full model.")
public final class DistillCommand implements Callable<Integer> {
  @Option(
      names = "--bundle",
      required = true,
      description = "Converted bundle (elastic decoder or encoder).")
  Path bundle;

  @Option(
      names = "--out",
      required = true,
      description = "Where to write the distilled bundle (created or replaced).")
  Path out;

  @Option(
      names = "--text",
      arity = "1..*",
      description =
          "Training text files. Decoders: documents separated by blank "
              + "lines (without any, the teacher samples stories itself). Encoders: one text per line.")
  List<Path> texts = new ArrayList<>();

  @Option(
      names = "--minutes",
      defaultValue = "20",
      description = "Training time budget (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(
      names = "--steps",
      defaultValue = "0",
      description =
          "Step budget; 0 for none (default: ${DEFAULT-VALUE}). With a step "
              + "budget the learning-rate schedule follows the steps, so a seeded run repeats (to ~1e-3 per weight).")
  int steps;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of data order and sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--lr",
      description = "Peak learning rate (default: 5e-4 for decoders, 2e-4 for encoders).")
  Float learningRate;

  @Option(
      names = "--batch",
      description = "Sequences per step (default: 16 windows for decoders, 32 lines for encoders).")
  Integer batch;

  @Option(
      names = "--window",
      defaultValue = "128",
      description = "Decoder tokens per training window (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--largest-weight",
      defaultValue = "10",
      description =
          "Weight of the largest sub-network's loss, 1 for "
              + "each other one: holds the full model near its teacher (default: ${DEFAULT-VALUE}).")
  float largestWeight;

  @Option(
      names = "--others",
      defaultValue = "1",
      description =
          "Sub-networks sampled per step besides the largest and smallest (default: ${DEFAULT-VALUE}).")
  int others;

  @Option(
      names = "--held-out",
      defaultValue = "64",
      description =
          "Held-out decoder windows, or encoder lines ×8, scored after training (default: ${DEFAULT-VALUE}).")
  int heldOut;

  @Option(
      names = "--quality-set",
      description =
          "Encoders: scored sentence pairs (STS layout, or s1 TAB s2 TAB score); sub-networks are scored by Spearman on it.")
  Path qualitySet;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "200",
      description = "Steps between checkpoints, 0 for none (default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--checkpoint", description = "Checkpoint directory (default: OUT.checkpoint).")
  Path checkpoint;

  @Option(names = "--resume", description = "Continue from the checkpoint.")
  boolean resume;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description =
          "Threads for training and evaluation, 0 for all cores (default: ${DEFAULT-VALUE}).")
  int threads;

  private final PrintStream console = System.out;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command; bad input ends with one line on stderr and exit code 2. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new DistillCommand());
    cli.setParameterExceptionHandler(
        (e, ignored) -> {
          e.getCommandLine().getErr().println("distill: " + e.getMessage() + " (see --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof IllegalArgumentException || e instanceof IOException) {
            line.getErr().println("distill: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    // Read by DJL when the engine starts, so set before the first PyTorch call.
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cores));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    if (!(minutes > 0) || steps < 0) {
      throw new IllegalArgumentException("--minutes must be positive and --steps ≥ 0");
    }
    String format = checkBundle();
    List<String> text = readTexts();
    Path target = checkOut();
    Path checkpointDir =
        checkpoint != null
            ? checkpoint
            : target.resolveSibling(target.getFileName() + ".checkpoint");
    if (resume && !TrainingCheckpoint.exists(checkpointDir)) {
      throw new IllegalArgumentException("--resume: no checkpoint in " + checkpointDir);
    }
    SimilaritySet quality = qualitySet == null ? null : readQualitySet();

    Path staging;
    try {
      staging =
          StagedDirectory.create(target); // also proves the output is writable, before any training
    } catch (IOException e) {
      throw new IllegalArgumentException("--out " + out + " cannot be written: " + e.getMessage());
    }
    try (DistillTask task = open(format, text, quality, cores)) {
      TrainingPlan plan =
          new TrainingPlan(
              steps,
              Duration.ofMillis((long) (minutes * 60_000)),
              seed,
              learningRate != null ? learningRate : task instanceof DecoderTask ? 5e-4f : 2e-4f,
              largestWeight,
              others,
              checkpointEvery);
      describe(task);
      console.println("measuring the bundle as it is: " + task.measureName());
      Map<String, Double> before = task.measure(bundle);

      Path weights = weightFile(format);
      Map<String, float[]> initial = task.tensors().read(weights, task.shapes().keySet());
      Distiller.Result result =
          Distiller.train(
              task, bundle, initial, plan, checkpointDir, resume, Integer.MAX_VALUE, console);

      copyBundle(bundle, staging);
      task.tensors().write(staging.resolve(weights.getFileName()), result.weights());
      console.println("measuring the distilled bundle");
      Map<String, Double> after = task.measure(staging);
      task.writeManifest(
          staging,
          after,
          new Distillation(
              name(format) + " (" + bundle.toAbsolutePath().normalize() + ")",
              result.steps(),
              result.tokens(),
              result.seconds(),
              seed,
              texts.stream().map(Path::toString).toList(),
              task.measureName(),
              before));
      StagedDirectory.publish(staging, target);
      StagedDirectory.deleteRecursively(checkpointDir);
      report(task, result, before, after);
      return 0;
    } catch (Exception | Error e) {
      StagedDirectory.deleteRecursively(staging);
      throw e;
    }
  }

  private DistillTask open(String format, List<String> text, SimilaritySet quality, int cores)
      throws IOException {
    int rows = batch != null ? batch : format.equals(DecoderManifest.FORMAT) ? 16 : 32;
    if (rows <= 0 || heldOut <= 0) {
      throw new IllegalArgumentException("--batch and --held-out must be positive");
    }
    if (format.equals(DecoderManifest.FORMAT)) {
      if (quality != null) {
        throw new IllegalArgumentException(
            "--quality-set is for encoders; a decoder is scored by perplexity");
      }
      return DecoderTask.open(
          bundle, DecoderManifest.read(bundle), text, window, rows, heldOut, seed, cores);
    }
    return EncoderTask.open(
        bundle, EncoderManifest.read(bundle), text, quality, rows, heldOut * 8, cores);
  }

  /** The bundle's format; fails unless it is a decoder or encoder bundle that reads. */
  private String checkBundle() throws IOException {
    if (!Files.isDirectory(bundle)) {
      throw new IllegalArgumentException("--bundle " + bundle + " is not a directory");
    }
    String format = BundleFormat.of(bundle);
    if (format == null) {
      throw new IllegalArgumentException(
          "--bundle " + bundle + " has no readable " + BundleFormat.FILE);
    }
    try {
      if (format.equals(DecoderManifest.FORMAT)) {
        DecoderManifest.read(bundle);
      } else if (format.equals(EncoderManifest.FORMAT)) {
        EncoderManifest.read(bundle);
      } else {
        throw new IllegalArgumentException(
            "--bundle "
                + bundle
                + " is a '"
                + format
                + "' bundle: distill takes "
                + DecoderManifest.FORMAT
                + " or "
                + EncoderManifest.FORMAT
                + " bundles");
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(
          "--bundle "
              + bundle
              + ": "
              + BundleFormat.FILE
              + " does not read: "
              + e.getOriginalMessage());
    }
    return format;
  }

  private List<String> readTexts() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path t : texts) {
      if (!Files.isRegularFile(t) || !Files.isReadable(t)) {
        throw new IllegalArgumentException("--text " + t + " is not a readable file");
      }
      String s;
      try {
        s =
            StandardCharsets.UTF_8
                .newDecoder()
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(t)))
                .toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("--text " + t + " is not UTF-8 text");
      }
      if (s.isBlank()) {
        throw new IllegalArgumentException("--text " + t + " is empty");
      }
      out.add(s);
    }
    return out;
  }

  private SimilaritySet readQualitySet() throws IOException {
    if (!Files.isRegularFile(qualitySet)) {
      throw new IllegalArgumentException("--quality-set " + qualitySet + " is not a readable file");
    }
    return SimilaritySet.read(qualitySet);
  }

  /**
   * The output's absolute path; refuses the input itself and an existing directory that is not a
   * bundle.
   */
  private Path checkOut() {
    Path target = out.toAbsolutePath().normalize();
    if (target.equals(bundle.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException(
          "--out must differ from --bundle (the teacher is read from it)");
    }
    if (Files.exists(target) && (!Files.isDirectory(target) || BundleFormat.of(target) == null)) {
      throw new IllegalArgumentException(
          "--out " + out + " exists and is not a bundle: refusing to replace it");
    }
    return target;
  }

  private Path weightFile(String format) throws IOException {
    String name =
        format.equals(DecoderManifest.FORMAT)
            ? DecoderManifest.read(bundle).weights()
            : EncoderManifest.read(bundle).weights();
    return bundle.resolve(name);
  }

  private String name(String format) throws IOException {
    return format.equals(DecoderManifest.FORMAT)
        ? DecoderManifest.read(bundle).name()
        : EncoderManifest.read(bundle).name();
  }

  private static void copyBundle(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(
            f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private void describe(DistillTask task) {
    String data =
        task instanceof DecoderTask d
            ? d.trainWindows()
                + " training windows, "
                + d.heldOutWindows()
                + " held out ("
                + d.dataSource()
                + ")"
            : ((EncoderTask) task).trainLines() + " training lines";
    console.printf("menu %s (smallest %s); %s%n", task.menu(), task.smallest(), data);
  }

  /**
   * The before/after table. For perplexity, each smaller sub-network's log-perplexity gap to the
   * teacher (full as it came) and how much of it distillation closed; full's own change in percent.
   */
  private void report(
      DistillTask task,
      Distiller.Result result,
      Map<String, Double> before,
      Map<String, Double> after) {
    console.printf(
        "%ntrained %d steps (%d skipped, gradient not finite), %,d tokens in %.0f s (%,.0f tokens/s); peak RSS %s%n",
        result.steps(),
        result.skipped(),
        result.tokens(),
        result.seconds(),
        result.tokens() / Math.max(result.seconds(), 1e-9),
        PeakMemory.describe());
    console.println(task.measureName() + ":");
    String first = task.menu().get(0);
    console.printf(
        "%-22s %12s %12s%s%n",
        "subnet", "before", "after", task.lowerIsBetter() ? "   gap to the teacher closed" : "");
    for (String s : task.menu()) {
      String change = "";
      if (task.lowerIsBetter()) {
        double teacher = Math.log(before.get(first));
        change =
            s.equals(first)
                ? String.format("   full %+.2f %%", 100 * (after.get(s) / before.get(s) - 1))
                : String.format(
                    "   %6.1f %%",
                    100
                        * (1
                            - (Math.log(after.get(s)) - teacher)
                                / (Math.log(before.get(s)) - teacher)));
      }
      console.printf("%-22s %12.4f %12.4f%s%n", s, before.get(s), after.get(s), change);
    }
    console.println("wrote " + out);
  }
}
