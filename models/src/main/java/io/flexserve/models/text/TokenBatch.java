package io.flexserve.models.text;

/**
 * Token ids of several inputs, right-padded to a common length: what an encoder graph takes.
 *
 * @param inputIds {@code [batch, sequence]} row-major, pad id 0
 * @param attentionMask {@code [batch, sequence]} row-major, 1 for real tokens and 0 for padding
 * @param batch number of inputs
 * @param sequence padded length (the longest input's token count)
 * @param tokenCounts real tokens per input, special tokens included
 */
public record TokenBatch(
    long[] inputIds, long[] attentionMask, int batch, int sequence, int[] tokenCounts) {
  public TokenBatch {
    if (batch <= 0 || sequence <= 0) {
      throw new IllegalArgumentException("empty batch: batch=" + batch + " sequence=" + sequence);
    }
    if (inputIds.length != batch * sequence
        || attentionMask.length != batch * sequence
        || tokenCounts.length != batch) {
      throw new IllegalArgumentException(
          "token batch arrays do not match batch=" + batch + " sequence=" + sequence);
    }
  }

  /** Total real tokens, what OpenAI's {@code usage.prompt_tokens} reports. */
  public int realTokens() {
    int sum = 0;
    for (int c : tokenCounts) {
      sum += c;
    }
    return sum;
  }

  /** Tokens the model computes on, padding included: what latency depends on. */
  public int paddedTokens() {
    return batch * sequence;
  }

  /** The ids of input {@code b} without padding. */
  public long[] row(int b) {
    return java.util.Arrays.copyOfRange(inputIds, b * sequence, b * sequence + tokenCounts[b]);
  }

  /**
   * Merges several batches into one, re-padded to the longest input of all: requests sharing a run.
   */
  public static TokenBatch concat(java.util.List<TokenBatch> parts) {
    int total = 0;
    for (TokenBatch p : parts) {
      total += p.batch();
    }
    long[][] rows = new long[total][];
    int i = 0;
    for (TokenBatch p : parts) {
      for (int b = 0; b < p.batch(); b++) {
        rows[i++] = p.row(b);
      }
    }
    return pad(rows);
  }

  /**
   * A full batch of real-looking BERT ids ([CLS] … [SEP], no padding) for timing: latency depends
   * on the shape, not on which ids.
   */
  public static TokenBatch synthetic(int batch, int sequence) {
    long[][] rows = new long[batch][sequence];
    for (long[] row : rows) {
      for (int i = 0; i < sequence; i++) {
        row[i] = 1000 + (i * 7919L) % 20000;
      }
      row[0] = 101;
      row[sequence - 1] = 102;
    }
    return pad(rows);
  }

  /** Pads already-tokenized inputs (each a row of ids) into a batch. */
  public static TokenBatch pad(long[][] rows) {
    int batch = rows.length;
    int sequence = 0;
    for (long[] r : rows) {
      sequence = Math.max(sequence, r.length);
    }
    long[] ids = new long[batch * sequence];
    long[] mask = new long[batch * sequence];
    int[] counts = new int[batch];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(rows[b], 0, ids, b * sequence, rows[b].length);
      java.util.Arrays.fill(mask, b * sequence, b * sequence + rows[b].length, 1L);
      counts[b] = rows[b].length;
    }
    return new TokenBatch(ids, mask, batch, sequence, counts);
  }
}
