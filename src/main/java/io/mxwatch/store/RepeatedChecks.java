package io.mxwatch.store;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Checks identical to the previous one of their domain, written in batches: each moves its
 * snapshot's last-seen time and count (a narrow row), and nothing else. A batch is one
 * transaction, so a repeated check costs the store a fraction of a row write instead of a
 * transaction of its own.
 *
 * <p>How often: a few hundred repeats are written at every tick of the caller (seconds); from
 * {@link #LARGE_BATCH} waiting on, a batch waits until its oldest repeat is {@link #MAX_WAIT} old.
 * A store that copies each page it changes (H2) rewrites nearly every page of the snapshot table
 * for a batch of thousands of domains, whether the batch holds one second of checks or thirty: at
 * 100,000 domains every 5 minutes, batches of 5 s rewrote the table every 5 s, and their dead
 * pages kept the file compacting.
 *
 * <p>What a crash loses is at most the last batch: last-seen times and counts up to {@link
 * #MAX_WAIT} behind, never a check that changed anything (those are written at once, by {@link
 * HistoryStore#record}) and never a change event.
 */
public final class RepeatedChecks {
  /** From this many domains waiting on, a batch waits for {@link #MAX_WAIT}. */
  public static final int LARGE_BATCH = 1000;
  /** The longest a repeat waits to be written while the daemon runs. */
  public static final java.time.Duration MAX_WAIT = java.time.Duration.ofSeconds(30);

  private final Jdbc jdbc;
  private Map<String, Seen> pending = new HashMap<>();
  /** When the oldest waiting repeat was added ({@link System#nanoTime}); meaningless when none waits. */
  private long oldestAdded;

  /** The latest repeat of a domain's current snapshot since the last batch, and how many there were. */
  private record Seen(long snapshotId, Instant at, int count) {}

  private final java.util.function.LongSupplier nanos;

  public RepeatedChecks(DataSource db) {
    this(db, System::nanoTime);
  }

  /** @param nanos the time in nanoseconds ({@link System#nanoTime}; a test's own) */
  RepeatedChecks(DataSource db, java.util.function.LongSupplier nanos) {
    this.jdbc = new Jdbc(db);
    this.nanos = nanos;
  }

  /** A check of {@code domain} at {@code at} that saw what snapshot {@code snapshotId} holds. */
  public synchronized void add(String domain, long snapshotId, Instant at) {
    if (pending.isEmpty()) {
      oldestAdded = nanos.getAsLong();
    }
    pending.merge(
        domain,
        new Seen(snapshotId, at, 1),
        (a, b) -> a.snapshotId() != b.snapshotId() ? b : new Seen(b.snapshotId(), a.at().isAfter(b.at()) ? a.at() : b.at(), a.count() + 1));
  }

  /** Repeats not yet written. */
  public synchronized int pending() {
    return pending.size();
  }

  /**
   * {@link #flush()} if the batch is due: fewer than {@link #LARGE_BATCH} domains wait, or the
   * oldest has waited {@link #MAX_WAIT}.
   *
   * @return how many domains it wrote
   */
  public int flushIfDue() {
    synchronized (this) {
      if (pending.size() >= LARGE_BATCH && nanos.getAsLong() - oldestAdded < MAX_WAIT.toNanos()) {
        return 0;
      }
    }
    return flush();
  }

  /**
   * Writes what was added since the last call, in one transaction. On failure the repeats are
   * kept and written with the next batch.
   *
   * @return how many domains it wrote
   */
  public int flush() {
    Map<String, Seen> batch;
    long batchAdded;
    synchronized (this) {
      if (pending.isEmpty()) {
        return 0;
      }
      batch = pending;
      batchAdded = oldestAdded;
      pending = new HashMap<>();
    }
    try {
      jdbc.inTransaction(
          "writing " + batch.size() + " repeated checks",
          c -> {
            // last_seen only moves forward; readers take a domain's last check as the later of its
            // last recorded check and its current snapshot's last_seen
            try (PreparedStatement snap =
                c.prepareStatement(
                    "UPDATE snapshot SET last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END, seen_count = seen_count + ? WHERE id = ?")) {
              for (Seen s : batch.values()) {
                Jdbc.bind(snap, s.at(), s.at(), s.count(), s.snapshotId());
                snap.addBatch();
              }
              snap.executeBatch();
            }
            return true;
          });
      return batch.size();
    } catch (StoreException e) {
      synchronized (this) {
        if (pending.isEmpty() || batchAdded - oldestAdded < 0) {
          oldestAdded = batchAdded; // the kept repeats are as old as they were: the wait is not restarted
        }
        batch.forEach((domain, seen) -> pending.merge(domain, seen, (newer, older) -> newer.snapshotId() != older.snapshotId() ? newer
            : new Seen(newer.snapshotId(), newer.at(), newer.count() + older.count())));
      }
      throw e;
    }
  }
}
