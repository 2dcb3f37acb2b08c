package io.flexserve.server.generation;

import ai.onnxruntime.OrtException;
import io.flexserve.models.llm.DecodeBatch;
import io.flexserve.models.llm.ElasticDecoder;
import io.flexserve.models.llm.KvCache;
import io.flexserve.router.generation.DecoderProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations decoding now: one {@link DecodeBatch} per sub-network (menu order) and the jobs
 * whose rows it holds. Only the scheduler thread changes it; request threads read the row counts
 * (router load, drain), which is why the per-sub-network maps are concurrent.
 */
final class RunningRows implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningRows.class);

  private final String model;
  private final Map<String, DecodeBatch> batches = new LinkedHashMap<>();
  private final Map<String, Map<Long, GenerationJob>> jobs = new LinkedHashMap<>();

  RunningRows(String model, ElasticDecoder decoder, List<DecoderProfile> menu) {
    this.model = model;
    for (DecoderProfile p : menu) {
      batches.put(p.name(), new DecodeBatch(decoder.session(p.name())));
      jobs.put(p.name(), new ConcurrentHashMap<>());
    }
  }

  /** Sub-network names, in menu order. */
  Set<String> subnets() {
    return batches.keySet();
  }

  boolean has(String subnet) {
    return batches.containsKey(subnet);
  }

  DecodeBatch batch(String subnet) {
    return batches.get(subnet);
  }

  /** The jobs decoding on {@code subnet}, a live view (copy it before ending any of them). */
  Map<Long, GenerationJob> on(String subnet) {
    return jobs.get(subnet);
  }

  /** Rows decoding now, over every sub-network. Any thread. */
  int count() {
    return jobs.values().stream().mapToInt(Map::size).sum();
  }

  /** Rows decoding now, by sub-network. Any thread. */
  Map<String, Integer> perSubnet() {
    Map<String, Integer> rows = new HashMap<>();
    jobs.forEach((name, on) -> rows.put(name, on.size()));
    return rows;
  }

  /** Records {@code job} as decoding on its sub-network (its row already joined the batch). */
  void add(GenerationJob job) {
    jobs.get(job.subnet).put(job.id, job);
  }

  /** Forgets {@code job} without touching its batch (its prefill failed). */
  void forget(GenerationJob job) {
    jobs.get(job.subnet).remove(job.id);
  }

  /** Takes {@code job}'s row out of its batch and frees its cache. */
  void leave(GenerationJob job) {
    jobs.get(job.subnet).remove(job.id);
    try {
      batches.get(job.subnet).leave(job.id);
    } catch (OrtException e) {
      // Freeing a row's cache failed; the row is gone from the batch either way, so keep serving
      // the others.
      LOG.warn("{}: freeing the cache of generation {} failed: {}", model, job.id, e.toString());
    }
  }

  /**
   * Moves {@code job}'s row to {@code to}'s batch: its cache is copied out, the row leaves, and the
   * copy is handed over, so the next step of {@code to} feeds it its last token. On failure the row
   * is in neither batch and the job in neither map.
   *
   * @throws OrtException or IllegalStateException when the copy or the hand-over failed
   */
  void move(GenerationJob job, String to) throws OrtException {
    String from = job.subnet;
    DecodeBatch source = batches.get(from);
    KvCache cache = null;
    try {
      cache = source.snapshot(job.id, source.length(job.id));
      int expected = job.request.prompt().length + job.generated - 1;
      if (cache.length() != expected) {
        throw new IllegalStateException(
            "generation "
                + job.id
                + " has "
                + cache.length()
                + " cached tokens, expected "
                + expected);
      }
      source.leave(job.id);
      batches.get(to).adopt(job.id, cache); // the batch owns the copy from here on
      cache = null;
      job.subnet = to;
      jobs.get(to).put(job.id, job); // in before out: other threads never see the row missing
      jobs.get(from).remove(job.id);
    } catch (OrtException | RuntimeException e) {
      if (cache != null) {
        closeQuietly(cache);
      }
      jobs.get(from).remove(job.id);
      jobs.get(to).remove(job.id);
      for (DecodeBatch b : List.of(source, batches.get(to))) {
        try {
          b.leave(job.id);
        } catch (OrtException | RuntimeException ignored) {
          // not there
        }
      }
      throw e;
    }
  }

  /** Every job decoding now, taken out of the maps (their batches are left as they are). */
  List<GenerationJob> drainAll() {
    List<GenerationJob> all = new ArrayList<>();
    for (Map<Long, GenerationJob> on : jobs.values()) {
      all.addAll(on.values());
      on.clear();
    }
    return all;
  }

  private void closeQuietly(KvCache cache) {
    try {
      cache.close();
    } catch (Exception e) {
      LOG.warn("{}: closing a cache copy failed: {}", model, e.toString());
    }
  }

  @Override
  public void close() throws OrtException {
    for (DecodeBatch b : batches.values()) {
      b.close();
    }
  }
}
