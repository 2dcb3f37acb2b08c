package io.flexserve.models.llm;

import io.flexserve.convert.checkpoint.SyntheticCheckpoint;
import io.flexserve.convert.llm.DecoderWeightFile;
import io.flexserve.models.llm.checkpoint.Checkpoint;
import io.flexserve.models.llm.checkpoint.LlamaConfig;
import io.flexserve.models.onnx.WeightLayout;
import io.flexserve.models.runtime.SessionConfig;
import io.flexserve.models.weights.MappedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures the two KV-cache attention graphs of one checkpoint against each other (a plain main,
 * not a test):
 *
 * <ul>
 *   <li>{@code concat}: {@link DecoderGraph}, MatMul/Softmax with additive bias, present =
 *       Concat(past, new);
 *   <li>{@code gqa}: {@link GqaDecoderGraph}, com.microsoft.GroupQueryAttention, past = previous
 *       present (the op copies it into a new, longer present every step);
 *   <li>{@code gqa-inplace}: the same graph with past and present bound to one fixed-capacity
 *       buffer per layer, so the op writes only the new rows.
 * </ul>
 *
 * Batch 1 by default ({@code --batch B} repeats the same sequence in B rows), same weight file,
 * logits of the last position only. Decode: the median time of one step after C cached tokens
 * (always decoding from the same cache, as {@code DecoderTimer}); prefill: the median time of P
 * tokens from an empty cache. The variants run in alternating blocks ({@code rounds} blocks each of
 * {@code steps} decode steps or {@code repeats} prefills, the order rotating), and each variant's
 * samples are pooled, so slow phases of a shared machine hit all variants alike. The spread column
 * is (max − min) / median of the block medians, for the variant with the largest: a noise
 * indicator.
 *
 * <pre>
 * java -cp ... io.flexserve.models.llm.KvAttentionComparison CHECKPOINT_DIR|synthetic:100m WORK_DIR
 *     [--contexts 16,128,512,1024] [--prefills 128,512] [--threads 1,2] [--steps 20] [--repeats 2] [--rounds 8]
 *     [--batch 1]
 * </pre>
 */
public final class KvAttentionComparison {
  private KvAttentionComparison() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: KvAttentionComparison CHECKPOINT_DIR|synthetic:<preset> WORK_DIR [--contexts a,b] "
              + "[--prefills a,b] [--threads a,b] [--steps n] [--repeats n] [--rounds n] [--batch n]");
      System.exit(2);
    }
    Path work = Path.of(args[1]);
    int[] contexts = {16, 128, 512, 1024};
    int[] prefills = {128, 512};
    int[] threads = {1, 2};
    int steps = 20;
    int repeats = 2;
    int rounds = 8;
    int batch = 1;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--contexts" -> contexts = ints(args[i + 1]);
        case "--prefills" -> prefills = ints(args[i + 1]);
        case "--threads" -> threads = ints(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(work);
    Path ckptDir;
    if (args[0].startsWith("synthetic:")) {
      String preset = args[0].substring("synthetic:".length());
      ckptDir = work.resolve("synthetic-" + preset);
      if (!Files.exists(ckptDir.resolve(Checkpoint.CONFIG))) {
        SyntheticCheckpoint.write(ckptDir, SyntheticCheckpoint.preset(preset), 1, 1, "F32");
      }
    } else {
      ckptDir = Path.of(args[0]);
    }

    LlamaConfig config;
    WeightLayout layout;
    Path weightFile = work.resolve("weights.bin");
    try (Checkpoint ckpt = Checkpoint.open(ckptDir)) {
      config = ckpt.config();
      layout = DecoderWeightFile.write(DecoderWeights.read(ckpt), weightFile);
    }
    DecoderSubnet full = DecoderSubnet.full(config);
    Path concatGraph = work.resolve("concat.onnx");
    Path gqaGraph = work.resolve("gqa.onnx");
    Files.write(concatGraph, DecoderGraph.build(config, full, layout, false).toByteArray());
    boolean fused = GqaDecoderGraph.canFuseRotary(config);
    Files.write(gqaGraph, GqaDecoderGraph.build(config, full, layout, fused).toByteArray());
    MappedWeights weights = MappedWeights.map(weightFile);
    int maxContext = Arrays.stream(contexts).max().orElse(0);
    int maxPrefill = Arrays.stream(prefills).max().orElse(0);
    if (Math.max(maxContext + 1, maxPrefill) > config.maxPositions()) {
      throw new IllegalArgumentException(
          "contexts/prefills exceed max positions " + config.maxPositions());
    }

    System.out.printf(
        Locale.ROOT,
        "# %s: hidden %d, %d layers, %d/%d heads, head dim %d, vocab %d; GQA rotary %s; "
            + "batch %d; %d blocks per variant of %d decode steps / %d prefills%n",
        ckptDir.getFileName(),
        config.hidden(),
        config.layers(),
        config.heads(),
        config.kvHeads(),
        config.headDim(),
        config.vocabSize(),
        fused ? "fused (do_rotary=1)" : "in graph (head dim not a multiple of 16)",
        batch,
        rounds,
        steps,
        repeats);
    System.out.printf(
        Locale.ROOT,
        "%-7s %-14s %10s %10s %12s %9s %12s %7s%n",
        "threads",
        "workload",
        "concat ms",
        "gqa ms",
        "inplace ms",
        "gqa/cat",
        "inplace/cat",
        "spread");
    for (int t : threads) {
      try (DecoderSession concat =
              DecoderSession.open(concatGraph, weights, SessionConfig.cpu(t), config, full);
          GqaDecoderSession gqa =
              GqaDecoderSession.open(gqaGraph, weights, SessionConfig.cpu(t), config, full)) {
        if (t == threads[0]) {
          System.out.printf(
              Locale.ROOT,
              "# max |logit difference| concat vs gqa, prefill of 64: %.2e%n",
              maxDiff(concat, gqa, Math.min(64, config.maxPositions())));
        }
        for (int c : contexts) {
          try (Bench a = new ConcatDecode(concat, batch, c);
              Bench b = new GqaDecode(gqa, batch, c);
              Bench i = new InPlaceDecode(gqa, batch, c)) {
            row(t, "decode@" + c, rounds, steps, a, b, i);
          }
        }
        for (int p : prefills) {
          final int tokens = p;
          final int rows = batch;
          row(
              t,
              "prefill " + p,
              rounds,
              repeats,
              n -> prefillConcat(concat, rows, tokens, n),
              n -> prefillGqa(gqa, rows, tokens, n),
              n -> prefillInPlace(gqa, rows, tokens, n));
        }
      }
    }
  }

  /**
   * A measurement that can be run in blocks: {@code block(n)} returns n timings in milliseconds.
   */
  interface Bench extends AutoCloseable {
    double[] block(int n) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  /**
   * Runs the variants in alternating blocks, the order rotating every round, so that slow phases of
   * a shared machine hit all variants alike; prints the median of each variant's pooled samples.
   */
  private static void row(int threads, String workload, int rounds, int perBlock, Bench... variants)
      throws Exception {
    List<List<Double>> pooled = new ArrayList<>();
    double[][] blockMedians = new double[variants.length][rounds];
    for (int v = 0; v < variants.length; v++) {
      pooled.add(new ArrayList<>());
      variants[v].block(2); // warm-up
    }
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < variants.length; v++) {
        int which = (v + r) % variants.length;
        double[] samples = variants[which].block(perBlock);
        for (double x : samples) {
          pooled.get(which).add(x);
        }
        blockMedians[which][r] = median(samples);
      }
    }
    double[] med = new double[variants.length];
    double spread = 0;
    for (int v = 0; v < variants.length; v++) {
      med[v] = median(pooled.get(v).stream().mapToDouble(Double::doubleValue).toArray());
      double lo = Arrays.stream(blockMedians[v]).min().orElse(0);
      double hi = Arrays.stream(blockMedians[v]).max().orElse(0);
      spread = Math.max(spread, (hi - lo) / med[v]);
    }
    System.out.printf(
        Locale.ROOT,
        "%-7d %-14s %10.3f %10.3f %12.3f %9.2f %12.2f %6.0f%%%n",
        threads,
        workload,
        med[0],
        med[1],
        med[2],
        med[1] / med[0],
        med[2] / med[0],
        100 * spread);
  }

  // ---- decode: one step after `context` cached tokens, always from the same cache (as
  // DecoderTimer) --------------

  /** {@link DecoderGraph}: every step concatenates the past with the new row into a new present. */
  private static final class ConcatDecode implements Bench {
    private final DecoderSession s;
    private final int batch;
    private final long[] ids;
    private final int context;
    private final KvCache cache;
    private int i;

    ConcatDecode(DecoderSession s, int batch, int context) throws Exception {
      this.s = s;
      this.batch = batch;
      this.context = context;
      this.ids = ids(s.config(), context);
      try (KvCache empty = s.emptyCache(batch)) {
        cache =
            s.step(
                    rows(ids, batch),
                    rows(positions(context), batch),
                    rows(AttentionBias.causal(0, context), batch),
                    context,
                    empty,
                    1)
                .cache();
      }
    }

    @Override
    public double[] block(int n) throws Exception {
      double[] millis = new double[n];
      long[] position = rows(new long[] {context}, batch);
      float[] bias = rows(AttentionBias.causal(context, 1), batch);
      for (int k = 0; k < n; k++) {
        long[] token = rows(new long[] {ids[i++ % context]}, batch);
        long t0 = System.nanoTime();
        DecoderSession.Step next = s.step(token, position, bias, 1, cache, 1);
        millis[k] = (System.nanoTime() - t0) / 1e6;
        next.cache().close();
      }
      return millis;
    }

    @Override
    public void close() throws Exception {
      cache.close();
    }
  }

  /**
   * {@link GqaDecoderGraph}, past = the previous present: the op copies the past into a new, longer
   * present.
   */
  private static final class GqaDecode implements Bench {
    private final GqaDecoderSession s;
    private final int batch;
    private final long[] ids;
    private final int context;
    private final KvCache cache;
    private int i;

    GqaDecode(GqaDecoderSession s, int batch, int context) throws Exception {
      this.s = s;
      this.batch = batch;
      this.context = context;
      this.ids = ids(s.config(), context);
      try (KvCache empty = s.emptyCache(batch)) {
        cache = s.step(rows(ids, batch), context, empty, 1).cache();
      }
    }

    @Override
    public double[] block(int n) throws Exception {
      double[] millis = new double[n];
      for (int k = 0; k < n; k++) {
        long[] token = rows(new long[] {ids[i++ % context]}, batch);
        long t0 = System.nanoTime();
        DecoderSession.Step next = s.step(token, 1, cache, 1);
        millis[k] = (System.nanoTime() - t0) / 1e6;
        next.cache().close();
      }
      return millis;
    }

    @Override
    public void close() throws Exception {
      cache.close();
    }
  }

  /**
   * {@link GqaDecoderGraph} with past and present bound to one buffer: the op writes only the new
   * row.
   */
  private static final class InPlaceDecode implements Bench {
    private final GqaDecoderSession s;
    private final int batch;
    private final long[] ids;
    private final int context;
    private final GqaDecoderSession.Buffers buffers;
    private int i;

    InPlaceDecode(GqaDecoderSession s, int batch, int context) throws Exception {
      this.s = s;
      this.batch = batch;
      this.context = context;
      this.ids = ids(s.config(), context);
      buffers = s.buffers(batch, context + 1);
      s.stepInPlace(rows(ids, batch), new int[batch], context, buffers, 1);
    }

    @Override
    public double[] block(int n) throws Exception {
      double[] millis = new double[n];
      int[] lengths = new int[batch];
      Arrays.fill(lengths, context);
      for (int k = 0; k < n; k++) {
        long[] token = rows(new long[] {ids[i++ % context]}, batch);
        long t0 = System.nanoTime();
        s.stepInPlace(token, lengths, 1, buffers, 1); // rewrites position `context` every step
        millis[k] = (System.nanoTime() - t0) / 1e6;
      }
      return millis;
    }

    @Override
    public void close() {
      buffers.close();
    }
  }

  // ---- prefill of `tokens` tokens from an empty cache
  // -----------------------------------------------------------

  private static double[] prefillConcat(DecoderSession s, int batch, int tokens, int repeats)
      throws Exception {
    long[] ids = rows(ids(s.config(), tokens), batch);
    long[] positions = rows(positions(tokens), batch);
    float[] bias = rows(AttentionBias.causal(0, tokens), batch);
    double[] millis = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      try (KvCache empty = s.emptyCache(batch)) {
        long t0 = System.nanoTime();
        DecoderSession.Step step = s.step(ids, positions, bias, tokens, empty, 1);
        millis[i] = (System.nanoTime() - t0) / 1e6;
        step.cache().close();
      }
    }
    return millis;
  }

  private static double[] prefillGqa(GqaDecoderSession s, int batch, int tokens, int repeats)
      throws Exception {
    long[] ids = rows(ids(s.config(), tokens), batch);
    double[] millis = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      try (KvCache empty = s.emptyCache(batch)) {
        long t0 = System.nanoTime();
        DecoderSession.Step step = s.step(ids, tokens, empty, 1);
        millis[i] = (System.nanoTime() - t0) / 1e6;
        step.cache().close();
      }
    }
    return millis;
  }

  private static double[] prefillInPlace(GqaDecoderSession s, int batch, int tokens, int repeats)
      throws Exception {
    long[] ids = rows(ids(s.config(), tokens), batch);
    double[] millis = new double[repeats];
    try (GqaDecoderSession.Buffers buffers = s.buffers(batch, tokens)) {
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        s.stepInPlace(ids, new int[batch], tokens, buffers, 1);
        millis[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    return millis;
  }

  /** Largest absolute difference between the two graphs' last-position logits after a prefill. */
  private static double maxDiff(DecoderSession concat, GqaDecoderSession gqa, int tokens)
      throws Exception {
    long[] ids = ids(concat.config(), tokens);
    float[] a;
    float[] b;
    try (KvCache empty = concat.emptyCache(1)) {
      DecoderSession.Step step =
          concat.step(ids, positions(tokens), AttentionBias.causal(0, tokens), tokens, empty, 1);
      a = step.logits();
      step.cache().close();
    }
    try (KvCache empty = gqa.emptyCache(1)) {
      DecoderSession.Step step = gqa.step(ids, tokens, empty, 1);
      b = step.logits();
      step.cache().close();
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static long[] ids(LlamaConfig config, int count) {
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = 3 + (i * 7919L) % (config.vocabSize() - 3);
    }
    return ids;
  }

  /** {@code row} repeated {@code batch} times: every batch row the same sequence. */
  private static long[] rows(long[] row, int batch) {
    long[] out = new long[row.length * batch];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(row, 0, out, b * row.length, row.length);
    }
    return out;
  }

  private static float[] rows(float[] row, int batch) {
    float[] out = new float[row.length * batch];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(row, 0, out, b * row.length, row.length);
    }
    return out;
  }

  private static long[] positions(int count) {
    long[] p = new long[count];
    for (int i = 0; i < count; i++) {
      p[i] = i;
    }
    return p;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
