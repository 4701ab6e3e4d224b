package io.mxwatch.store;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Checks identical to the previous one of their domain, written in batches: each moves its
 * snapshot's last-seen time and count (a narrow row), and nothing else. A batch
 * is one transaction every few seconds, so a repeated check costs the store a fraction of a row
 * write instead of a transaction of its own.
 *
 * <p>What a crash loses is at most the last batch: last-seen times and counts a few seconds
 * behind, never a check that changed anything (those are written at once, by {@link
 * HistoryStore#record}) and never a change event.
 */
public final class RepeatedChecks {
  private final Jdbc jdbc;
  private Map<String, Seen> pending = new HashMap<>();

  /** The latest repeat of a domain's current snapshot since the last batch, and how many there were. */
  private record Seen(long snapshotId, Instant at, int count) {}

  public RepeatedChecks(DataSource db) {
    this.jdbc = new Jdbc(db);
  }

  /** A check of {@code domain} at {@code at} that saw what snapshot {@code snapshotId} holds. */
  public synchronized void add(String domain, long snapshotId, Instant at) {
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
   * Writes what was added since the last call, in one transaction. On failure the repeats are
   * kept and written with the next batch.
   *
   * @return how many domains it wrote
   */
  public int flush() {
    Map<String, Seen> batch;
    synchronized (this) {
      if (pending.isEmpty()) {
        return 0;
      }
      batch = pending;
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
        batch.forEach((domain, seen) -> pending.merge(domain, seen, (newer, older) -> newer.snapshotId() != older.snapshotId() ? newer
            : new Seen(newer.snapshotId(), newer.at(), newer.count() + older.count())));
      }
      throw e;
    }
  }
}
