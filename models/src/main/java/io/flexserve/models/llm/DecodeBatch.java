package io.flexserve.models.llm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequences decoding together on one {@link DecoderSession}: continuous (iteration-level)
 * batching. Every {@link #step} is one ONNX Runtime run for all rows; sequences {@link #join}
 * between steps and {@link #leave} when finished or cancelled.
 *
 * <p><b>Layout.</b> The rows share one cache per layer, {@code [B, G_l, T, hd]},
 * <em>left-padded</em>: every row's real tokens are right-aligned and end at column {@code T - 1},
 * so row r occupies its last {@code length(r)} columns and its first {@code T - length(r)} are
 * padding. A step appends one column to every row, which keeps them right-aligned; each row's
 * padding is masked with {@link DecoderGraph#MASKED} in {@code attention_bias} and each row gets
 * its own {@code position_ids} (its own count of real tokens so far), so a row computes exactly
 * what it would alone. A step's present outputs become the next step's past without a copy (the
 * tensors stay inside ONNX Runtime).
 *
 * <p><b>Membership changes.</b> A joining sequence is prefilled alone (batch 1) and kept in its own
 * cache until the next step; a leaving row is only dropped from the bookkeeping. The next step then
 * rebuilds the batch cache once for all joins and leaves since the last step: it reads the source
 * tensors, copies each row's real columns into new direct buffers, and trims leading columns that
 * are padding in every row ({@code T} becomes the longest row). A lone joining sequence with no
 * other rows adopts its prefill cache without a copy.
 *
 * <p><b>Prefix reuse.</b> {@link #join(long, long[], KvCache)} starts from a batch-1 cache of the
 * prompt's first k tokens (which it does not close) and runs only the rest; {@link #snapshot}
 * copies the first tokens of a row into a new, independently owned batch-1 cache to store for later
 * joins. A cache belongs to the sub-network that made it.
 *
 * <p><b>Memory.</b> Every tensor and run result this class creates or receives is closed exactly
 * once: the previous batch cache when a step or rebuild replaces it, a pending row's prefill cache
 * when it is merged or leaves, and everything left on {@link #close}. Snapshots belong to the
 * caller.
 *
 * <p><b>Threads.</b> Not thread-safe: one scheduler thread owns a batch and makes all calls.
 * Different batches (even on the same session) may step concurrently.
 *
 * <p><b>Why one class of 530 lines.</b> Layout, membership changes, prefix reuse and memory above
 * are one algorithm over one left-padded cache: each operation must keep the same right-alignment
 * and close-exactly-once invariants, which are checked in one place only if they live in one place.
 */
public final class DecodeBatch implements AutoCloseable {
  private final DecoderSession session;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final int vocab;
  private final int maxPositions;
  private final int headDim;

  /** Rows in join order; merged rows occupy slots 0 … in this order after a rebuild. */
  private final LinkedHashMap<Long, Row> rows = new LinkedHashMap<>();

  /**
   * The merged rows' cache, right-aligned; null when no row has been merged (or all left and it was
   * released).
   */
  private KvCache batch;

  private boolean closed;

  private static final class Row {
    final long id;

    /** Real tokens in this row's cache. */
    int length;

    /** Row index in {@link #batch}, or -1 while pending. */
    int slot = -1;

    /**
     * Batch-1 prefill cache of a row not yet merged, exactly {@code length} long; null once merged.
     */
    KvCache own;

    Row(long id) {
      this.id = id;
    }
  }

  public DecodeBatch(DecoderSession session) {
    this.session = session;
    this.vocab = session.config().vocabSize();
    this.maxPositions = session.config().maxPositions();
    this.headDim = session.config().headDim();
  }

  public DecoderSession session() {
    return session;
  }

  /** Rows decoding now (merged or pending). */
  public int size() {
    return rows.size();
  }

  public boolean contains(long id) {
    return rows.containsKey(id);
  }

  /** Row ids in join order: the order of {@link #step}'s result. */
  public List<Long> ids() {
    return List.copyOf(rows.keySet());
  }

  /** Tokens in row {@code id}'s cache: its prompt plus every token fed by {@link #step} so far. */
  public int length(long id) {
    return row(id).length;
  }

  /** Longest sequence a row may reach: the graph's RoPE table. */
  public int maxLength() {
    return maxPositions;
  }

  /**
   * Prefills {@code prompt} alone and adds it as a row; returns its last position's logits {@code
   * [V]}.
   */
  public float[] join(long id, long[] prompt) throws OrtException {
    return join(id, prompt, null);
  }

  /**
   * Adds a row for {@code prompt}, starting from {@code prefix}: a batch-1 cache of the prompt's
   * first {@code prefix.length()} tokens made by this sub-network (from {@link #snapshot}), or null
   * for none. Only the remaining tokens run, so the prefix must leave at least one. {@code prefix}
   * is not closed and stays the caller's; the caller guarantees it holds exactly those tokens. The
   * row's first {@link #step} input is the token the caller picks from the returned logits.
   *
   * @return the logits of the prompt's last position, {@code [V]}
   */
  public float[] join(long id, long[] prompt, KvCache prefix) throws OrtException {
    checkOpen();
    if (rows.containsKey(id)) {
      throw new IllegalArgumentException("sequence " + id + " is already in the batch");
    }
    int n = prompt.length;
    if (n == 0 || n > maxPositions) {
      throw new IllegalArgumentException("prompt of " + n + " tokens; need 1 to " + maxPositions);
    }
    int k = 0;
    if (prefix != null) {
      checkPrefix(prefix);
      k = prefix.length();
      if (k >= n) {
        throw new IllegalArgumentException(
            "prefix of " + k + " tokens leaves none of the " + n + "-token prompt to run");
      }
    }
    int seq = n - k;
    long[] ids = Arrays.copyOfRange(prompt, k, n);
    long[] positions = new long[seq];
    for (int i = 0; i < seq; i++) {
      positions[i] = k + i;
    }
    DecoderSession.Step step;
    if (prefix != null) {
      step = session.step(ids, positions, AttentionBias.causal(k, seq), seq, prefix, 1);
    } else {
      try (KvCache empty = session.emptyCache(1)) {
        step = session.step(ids, positions, AttentionBias.causal(0, seq), seq, empty, 1);
      }
    }
    Row row = new Row(id);
    row.length = n;
    row.own = step.cache();
    rows.put(id, row);
    return step.logits();
  }

  /**
   * Adds a row whose cache is {@code cache}: a batch-1 cache made by this sub-network, or by one
   * sharing its KV layout (same kept layers and KV groups), e.g. a {@link #snapshot} of a row of
   * another batch. Nothing runs now: the row's next {@link #step} input is the token that follows
   * those in the cache, so a row moved from another batch this way costs a copy, not a run of its
   * own. Takes ownership of {@code cache} (closed when merged or when the row leaves).
   */
  public void adopt(long id, KvCache cache) throws OrtException {
    checkOpen();
    if (rows.containsKey(id)) {
      throw new IllegalArgumentException("sequence " + id + " is already in the batch");
    }
    checkPrefix(cache);
    if (cache.length() < 1 || cache.length() >= maxPositions) {
      throw new IllegalArgumentException(
          "a cache of "
              + cache.length()
              + " tokens leaves no room to decode (need 1 to "
              + (maxPositions - 1)
              + ")");
    }
    Row row = new Row(id);
    row.length = cache.length();
    row.own = cache;
    rows.put(id, row);
  }

  /** Removes row {@code id} (finished or cancelled); false when it is not in the batch. */
  public boolean leave(long id) throws OrtException {
    checkOpen();
    Row row = rows.remove(id);
    if (row == null) {
      return false;
    }
    if (row.own != null) {
      row.own.close();
      row.own = null;
    }
    if (rows.isEmpty()
        && batch
            != null) { // nothing left to decode: release the cache now rather than at the next step
      KvCache previous = batch;
      batch = null;
      previous.close();
    }
    return true;
  }

  /**
   * Feeds every row its next token in one run; each row's token goes at position {@link
   * #length}(row), which then grows by one.
   *
   * @param nextToken row id → token, for exactly the rows in the batch
   * @return row id → logits {@code [V]} of the fed token, in {@link #ids()} order
   */
  public Map<Long, float[]> step(Map<Long, Long> nextToken) throws OrtException {
    checkOpen();
    if (nextToken.size() != rows.size() || !rows.keySet().containsAll(nextToken.keySet())) {
      throw new IllegalArgumentException(
          "tokens for " + nextToken.keySet() + " but the batch holds " + rows.keySet());
    }
    Map<Long, float[]> out = new LinkedHashMap<>();
    if (rows.isEmpty()) {
      return out;
    }
    for (Row row : rows.values()) {
      if (row.length >= maxPositions) {
        throw new IllegalStateException(
            "sequence " + row.id + " is at the maximum length " + maxPositions);
      }
    }
    if (needsRebuild()) {
      rebuild();
    }
    int b = rows.size();
    int past = batch.length();
    int total = past + 1;
    long[] ids = new long[b];
    long[] positions = new long[b];
    float[] bias = new float[b * total];
    for (Row row : rows.values()) {
      ids[row.slot] = nextToken.get(row.id);
      positions[row.slot] = row.length;
      Arrays.fill(
          bias, row.slot * total, row.slot * total + past - row.length, DecoderGraph.MASKED);
    }
    DecoderSession.Step step = session.step(ids, positions, bias, 1, batch, 1);
    KvCache previous = batch;
    batch = step.cache();
    for (Row row : rows.values()) {
      row.length++;
      out.put(row.id, Arrays.copyOfRange(step.logits(), row.slot * vocab, (row.slot + 1) * vocab));
    }
    previous.close();
    return out;
  }

  /**
   * A new batch-1 cache of the first {@code tokens} tokens of row {@code id} (prompt and generated
   * tokens alike), independently owned: the caller closes it, and it outlives this batch. Pass it
   * to {@link #join(long, long[], KvCache)} with a prompt that starts with those tokens. Copies the
   * row out of the batch cache (reading the whole batch tensors), or, cheaper, out of its own
   * prefill cache when taken right after {@link #join}.
   */
  public KvCache snapshot(long id, int tokens) throws OrtException {
    checkOpen();
    Row row = row(id);
    if (tokens < 0 || tokens > row.length) {
      throw new IllegalArgumentException(
          "snapshot of " + tokens + " tokens of a " + row.length + "-token sequence");
    }
    if (tokens == 0) {
      return session.emptyCache(1);
    }
    KvCache source = row.own != null ? row.own : batch;
    int srcRow = row.own != null ? 0 : row.slot;
    int srcColumns = source.length();
    int start = srcColumns - row.length;
    List<OnnxTensor> created = new ArrayList<>();
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (String name : names()) {
        int groups = groups(name);
        FloatBuffer src = source.tensors().get(name).getFloatBuffer();
        FloatBuffer dst = direct(groups * tokens * headDim);
        for (int g = 0; g < groups; g++) {
          int from = ((srcRow * groups + g) * srcColumns + start) * headDim;
          dst.put(g * tokens * headDim, src, from, tokens * headDim);
        }
        OnnxTensor t = OnnxTensor.createTensor(env, dst, new long[] {1, groups, tokens, headDim});
        created.add(t);
        tensors.put(name, t);
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(created);
      throw e;
    }
    return new KvCache(1, tokens, tensors, () -> closeAll(created));
  }

  /**
   * Frees the batch cache and every pending prefill cache; the batch is unusable afterwards.
   * Idempotent.
   */
  @Override
  public void close() throws OrtException {
    if (closed) {
      return;
    }
    closed = true;
    OrtException failure = null;
    List<KvCache> caches = new ArrayList<>();
    for (Row row : rows.values()) {
      if (row.own != null) {
        caches.add(row.own);
        row.own = null;
      }
    }
    rows.clear();
    if (batch != null) {
      caches.add(batch);
      batch = null;
    }
    for (KvCache c : caches) {
      try {
        c.close();
      } catch (OrtException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Columns of the merged batch cache (0 when none): for tests of trimming. */
  int batchColumns() {
    return batch == null ? 0 : batch.length();
  }

  /** The merged batch cache, or null: for tests of ownership. */
  KvCache batchCache() {
    return batch;
  }

  private boolean needsRebuild() {
    int merged = 0;
    for (Row row : rows.values()) {
      if (row.own != null) {
        return true;
      }
      merged++;
    }
    return batch == null ? merged > 0 : batch.batch() != merged;
  }

  /**
   * Merges pending rows into, and drops departed rows from, a new right-aligned batch cache of the
   * longest row.
   */
  private void rebuild() throws OrtException {
    int b = rows.size();
    if (b == 0) {
      if (batch != null) {
        KvCache previous = batch;
        batch = null;
        previous.close();
      }
      return;
    }
    Row first = rows.values().iterator().next();
    if (b == 1 && first.own != null) { // a lone new row: adopt its prefill cache as is
      KvCache previous = batch;
      batch = first.own;
      first.own = null;
      first.slot = 0;
      if (previous != null) {
        previous.close();
      }
      return;
    }
    int columns = 0;
    for (Row row : rows.values()) {
      columns = Math.max(columns, row.length);
    }
    List<OnnxTensor> created = new ArrayList<>();
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    try {
      for (String name : names()) {
        int groups = groups(name);
        FloatBuffer dst =
            direct(b * groups * columns * headDim); // padding stays 0: masked, and 0 keys score 0
        FloatBuffer merged =
            null; // the old batch tensor, read once per name when some merged row stays
        int slot = 0;
        for (Row row : rows.values()) {
          FloatBuffer src;
          int srcRow;
          int srcColumns;
          if (row.own != null) {
            src = row.own.tensors().get(name).getFloatBuffer();
            srcRow = 0;
            srcColumns = row.length;
          } else {
            if (merged == null) {
              merged = batch.tensors().get(name).getFloatBuffer();
            }
            src = merged;
            srcRow = row.slot;
            srcColumns = batch.length();
          }
          for (int g = 0; g < groups; g++) {
            int from = ((srcRow * groups + g) * srcColumns + srcColumns - row.length) * headDim;
            int to = ((slot * groups + g) * columns + columns - row.length) * headDim;
            dst.put(to, src, from, row.length * headDim);
          }
          slot++;
        }
        OnnxTensor t = OnnxTensor.createTensor(env, dst, new long[] {b, groups, columns, headDim});
        created.add(t);
        tensors.put(name, t);
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(created);
      throw e;
    }
    List<KvCache> replaced = new ArrayList<>();
    if (batch != null) {
      replaced.add(batch);
    }
    int slot = 0;
    for (Row row : rows.values()) {
      if (row.own != null) {
        replaced.add(row.own);
        row.own = null;
      }
      row.slot = slot++;
    }
    batch = new KvCache(b, columns, tensors, () -> closeAll(created));
    for (KvCache c : replaced) {
      c.close();
    }
  }

  private void checkPrefix(KvCache prefix) {
    if (prefix.batch() != 1) {
      throw new IllegalArgumentException("a prefix cache must have batch 1, not " + prefix.batch());
    }
    List<String> names = names();
    if (!prefix.tensors().keySet().equals(new HashSet<>(names))) {
      throw new IllegalArgumentException(
          "prefix cache tensors "
              + prefix.tensors().keySet()
              + " do not fit sub-network "
              + session.subnet().name());
    }
    for (String name : names) {
      long[] shape = prefix.tensors().get(name).getInfo().getShape();
      long[] want = {1, groups(name), prefix.length(), headDim};
      if (!Arrays.equals(shape, want)) {
        throw new IllegalArgumentException(
            "prefix cache "
                + name
                + " has shape "
                + Arrays.toString(shape)
                + ", expected "
                + Arrays.toString(want));
      }
    }
  }

  /** Cache input names, {@code past_key.<l>} and {@code past_value.<l>} per kept layer. */
  private List<String> names() {
    List<String> names = new ArrayList<>();
    for (DecoderSubnet.Layer layer : session.subnet().layers()) {
      names.add("past_key." + layer.index());
      names.add("past_value." + layer.index());
    }
    return names;
  }

  private int groups(String name) {
    int l = Integer.parseInt(name.substring(name.indexOf('.') + 1));
    for (DecoderSubnet.Layer layer : session.subnet().layers()) {
      if (layer.index() == l) {
        return layer.kvGroups();
      }
    }
    throw new IllegalArgumentException(name);
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES))
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  private static void closeAll(List<OnnxTensor> tensors) {
    for (OnnxTensor t : tensors) {
      t.close();
    }
  }

  private Row row(long id) {
    Row row = rows.get(id);
    if (row == null) {
      throw new IllegalArgumentException("sequence " + id + " is not in the batch");
    }
    return row;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("decode batch is closed");
    }
  }
}
