package io.mxwatch.store;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.DriftState;
import io.mxwatch.drift.Observation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The history of every watched domain: distinct snapshots with first and last seen, the drift
 * state, confirmed change events and approvals. Each check is recorded in one transaction, so a
 * crash at any moment leaves either all of it or none of it.
 *
 * <p>A check identical to the previous one of its domain (same {@link Observation}, which leaves
 * out timestamps and latencies) moves that row's {@code last_seen} and {@code seen_count} instead
 * of adding a row.
 */
public final class HistoryStore {
  private final Jdbc jdbc;

  public HistoryStore(DataSource db) {
    this.jdbc = new Jdbc(db);
  }

  /** A domain's drift state with the version that {@link #record} must find unchanged. */
  public record Loaded(DriftState state, long version) {}

  /** One run of identical checks. */
  public record StoredSnapshot(long id, String status, Instant firstSeen, Instant lastSeen, long seenCount, String contentHash) {}

  /** One confirmed change as stored. */
  public record StoredEvent(
      long id, String code, String severity, String subject, String before, String after, Instant detectedAt, Instant confirmedAt) {}

  /**
   * One domain as the store last saw it.
   *
   * @param version the drift state's version: it grows with every check and approval
   * @param lastChangeAt when its latest change was confirmed; null when none was
   */
  public record Overview(String domain, DriftState state, long version, Instant lastCheckedAt, String lastStatus, Instant lastChangeAt) {}

  /** The latest check of a domain as stored: the first of its run of identical checks, in full. */
  public record StoredCheck(long id, String status, Instant firstSeen, Instant lastSeen, long seenCount, String checkJson) {}

  /** One approval of a new baseline. */
  public record StoredApproval(long id, String by, String reason, Instant at) {}

  /** Every domain ever checked, by name. */
  public List<Overview> overview() {
    List<Overview> out = new ArrayList<>();
    jdbc.select("reading the domains", OVERVIEW + " ORDER BY d.domain", rs -> out.add(overview(rs)));
    return out;
  }

  /** {@code domain} as the store last saw it; null when it was never checked. */
  public Overview overview(String domain) {
    List<Overview> out = new ArrayList<>();
    jdbc.select("reading the state of " + domain, OVERVIEW + " WHERE d.domain = ?", rs -> out.add(overview(rs)), domain);
    return out.isEmpty() ? null : out.getFirst();
  }

  private static final String OVERVIEW =
      "SELECT d.domain, d.state, d.version, d.last_checked_at, d.last_status,"
          + " (SELECT MAX(c.confirmed_at) FROM change_event c WHERE c.domain = d.domain) FROM drift_state d";

  private static Overview overview(ResultSet rs) throws SQLException {
    return new Overview(
        rs.getString(1), Jdbc.read(rs.getString(2), DriftState.class), rs.getLong(3), Jdbc.instantOrNull(rs, 4), rs.getString(5), Jdbc.instantOrNull(rs, 6));
  }

  /** The drift-state version of every domain ever checked: what to re-read when it moved. */
  public Map<String, Long> versions() {
    Map<String, Long> out = new HashMap<>();
    jdbc.select("reading the domains' versions", "SELECT domain, version FROM drift_state", rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  /** The latest check of {@code domain} in full; null when it was never checked or retention deleted it. */
  public StoredCheck latestCheck(String domain) {
    List<StoredCheck> out = new ArrayList<>();
    jdbc.select(
        history(domain),
        "SELECT s.id, s.status, s.first_seen, s.last_seen, s.seen_count, s.snapshot FROM drift_state d JOIN snapshot s ON s.id = d.last_snapshot_id"
            + " WHERE d.domain = ?",
        rs -> out.add(new StoredCheck(rs.getLong(1), rs.getString(2), Jdbc.instant(rs, 3), Jdbc.instant(rs, 4), rs.getLong(5), rs.getString(6))),
        domain);
    return out.isEmpty() ? null : out.getFirst();
  }

  /** The approvals of {@code domain} made at or after {@code since}, oldest first. */
  public List<StoredApproval> approvals(String domain, Instant since) {
    List<StoredApproval> out = new ArrayList<>();
    jdbc.select(
        history(domain),
        "SELECT id, approved_by, reason, approved_at FROM approval WHERE domain = ? AND approved_at >= ? ORDER BY id",
        rs -> out.add(new StoredApproval(rs.getLong(1), rs.getString(2), rs.getString(3), Jdbc.instant(rs, 4))),
        domain,
        since);
    return out;
  }

  /**
   * What the check of {@code domain} saw at {@code at}: the observation of the latest snapshot first
   * seen at or before it; null when there is none (before the first check, or deleted by retention).
   */
  public Observation observationAt(String domain, Instant at) {
    List<Observation> out = new ArrayList<>();
    jdbc.select(
        history(domain),
        "SELECT observation FROM snapshot WHERE domain = ? AND first_seen <= ? ORDER BY first_seen DESC, id DESC FETCH FIRST 1 ROWS ONLY",
        rs -> out.add(Jdbc.read(rs.getString(1), Observation.class)),
        domain,
        at);
    return out.isEmpty() ? null : out.getFirst();
  }

  /** The drift state of {@code domain}; the initial state at version 0 when it was never checked. */
  public Loaded load(String domain) {
    List<Loaded> out = new ArrayList<>();
    jdbc.select(
        "loading the drift state of " + domain,
        "SELECT state, version FROM drift_state WHERE domain = ?",
        rs -> out.add(new Loaded(Jdbc.read(rs.getString(1), DriftState.class), rs.getLong(2))),
        domain);
    return out.isEmpty() ? new Loaded(DriftState.INITIAL, 0) : out.getFirst();
  }

  /**
   * Records one check of {@code domain} and the drift step it led to, atomically.
   *
   * @param version the version {@link #load} returned
   * @return false, with nothing written, when the state changed since it was loaded (an operator
   *     approved in between): load again and step again
   */
  public boolean record(String domain, long version, CheckResult check, Observation observation, DriftEngine.Step step) {
    String observationJson = Jdbc.json(observation);
    String hash = Jdbc.sha256(observationJson);
    OffsetDateTime at = Jdbc.time(check.snapshot().checkedAt());
    return jdbc.inTransaction(
        "recording the check of " + domain,
        c -> {
          ensureDomain(c, domain, at);
          Long lastSnapshot = null;
          long current = 0;
          try (PreparedStatement q = c.prepareStatement("SELECT version, last_snapshot_id FROM drift_state WHERE domain = ?")) {
            q.setString(1, domain);
            try (ResultSet rs = q.executeQuery()) {
              if (rs.next()) {
                current = rs.getLong(1);
                lastSnapshot = rs.getObject(2, Long.class);
              }
            }
          }
          if (current != version) {
            return false;
          }
          long snapshotId = storeSnapshot(c, domain, lastSnapshot, hash, observationJson, check, at);
          if (!storeState(c, domain, version, step.state(), snapshotId, at, check.status().label())) {
            return false;
          }
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO change_event (domain, code, severity, subject, before_value, after_value, detected_at, confirmed_at, snapshot_id)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (DriftEngine.ChangeEvent e : step.events()) {
              ins.setString(1, domain);
              ins.setString(2, e.change().code());
              ins.setString(3, e.change().severity().label());
              ins.setString(4, e.change().subject());
              ins.setString(5, e.change().before());
              ins.setString(6, e.change().after());
              ins.setObject(7, Jdbc.time(e.detectedAt()));
              ins.setObject(8, Jdbc.time(e.confirmedAt()));
              ins.setLong(9, snapshotId);
              ins.addBatch();
            }
            ins.executeBatch();
          }
          return true;
        });
  }

  /**
   * Approves the confirmed state of {@code domain} as its new baseline and records who did it and
   * why.
   *
   * @return the state after approval
   * @throws StoreException when the domain was never checked
   */
  public DriftState approve(String domain, String by, String reason, Instant at) {
    for (int attempt = 0; attempt < 10; attempt++) {
      Loaded loaded = load(domain);
      if (loaded.version() == 0 || loaded.state().confirmed() == null) {
        throw new StoreException("cannot approve " + domain + ": it has no confirmed state yet", null);
      }
      DriftState approved = loaded.state().approved();
      boolean done =
          jdbc.inTransaction(
              "approving " + domain,
              c -> {
                try (PreparedStatement up =
                        c.prepareStatement("UPDATE drift_state SET state = ?, version = version + 1 WHERE domain = ? AND version = ?");
                    PreparedStatement ins =
                        c.prepareStatement("INSERT INTO approval (domain, approved_by, reason, approved_at, baseline) VALUES (?, ?, ?, ?, ?)")) {
                  up.setString(1, Jdbc.json(approved));
                  up.setString(2, domain);
                  up.setLong(3, loaded.version());
                  if (up.executeUpdate() != 1) {
                    return false; // a check was recorded in between: approve what it confirmed
                  }
                  ins.setString(1, domain);
                  ins.setString(2, by);
                  ins.setString(3, reason);
                  ins.setObject(4, Jdbc.time(at));
                  ins.setString(5, Jdbc.json(approved.baseline()));
                  ins.executeUpdate();
                  return true;
                }
              });
      if (done) {
        return approved;
      }
    }
    throw new StoreException("approving " + domain + " failed: the state kept changing", null);
  }

  /** The distinct snapshots of {@code domain} last seen at or after {@code since}, oldest first. */
  public List<StoredSnapshot> snapshots(String domain, Instant since) {
    List<StoredSnapshot> out = new ArrayList<>();
    jdbc.select(
        history(domain),
        "SELECT id, status, first_seen, last_seen, seen_count, content_hash FROM snapshot WHERE domain = ? AND last_seen >= ? ORDER BY id",
        rs -> out.add(new StoredSnapshot(rs.getLong(1), rs.getString(2), Jdbc.instant(rs, 3), Jdbc.instant(rs, 4), rs.getLong(5), rs.getString(6))),
        domain,
        since);
    return out;
  }

  /** The change events of {@code domain} confirmed at or after {@code since}, oldest first. */
  public List<StoredEvent> events(String domain, Instant since) {
    List<StoredEvent> out = new ArrayList<>();
    jdbc.select(
        history(domain),
        "SELECT id, code, severity, subject, before_value, after_value, detected_at, confirmed_at FROM change_event"
            + " WHERE domain = ? AND confirmed_at >= ? ORDER BY id",
        rs -> out.add(
            new StoredEvent(
                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), Jdbc.instant(rs, 7), Jdbc.instant(rs, 8))),
        domain,
        since);
    return out;
  }

  /**
   * Deletes snapshots last seen before {@code cutoff}, except each domain's latest. Change events
   * and approvals stay: they are the audit trail.
   *
   * @return how many snapshots were deleted
   */
  public int purgeSnapshotsBefore(Instant cutoff) {
    return jdbc.update(
        "deleting history before " + cutoff,
        "DELETE FROM snapshot WHERE last_seen < ? AND id NOT IN (SELECT last_snapshot_id FROM drift_state WHERE last_snapshot_id IS NOT NULL)",
        cutoff);
  }

  /** The step named in errors of the history reads. */
  private static String history(String domain) {
    return "reading the history of " + domain;
  }

  private static void ensureDomain(Connection c, String domain, OffsetDateTime at) throws SQLException {
    try (PreparedStatement ins =
        c.prepareStatement("INSERT INTO domain (name, added_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM domain WHERE name = ?)")) {
      ins.setString(1, domain);
      ins.setObject(2, at);
      ins.setString(3, domain);
      ins.executeUpdate();
    }
  }

  private static long storeSnapshot(
      Connection c, String domain, Long lastSnapshot, String hash, String observationJson, CheckResult check, OffsetDateTime at)
      throws SQLException {
    if (lastSnapshot != null) {
      try (PreparedStatement up =
          c.prepareStatement(
              "UPDATE snapshot SET last_seen = ?, seen_count = seen_count + 1, status = ? WHERE id = ? AND content_hash = ?")) {
        up.setObject(1, at);
        up.setString(2, check.status().label());
        up.setLong(3, lastSnapshot);
        up.setString(4, hash);
        if (up.executeUpdate() == 1) {
          return lastSnapshot;
        }
      }
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO snapshot (domain, content_hash, observation, snapshot, status, first_seen, last_seen, seen_count)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            Statement.RETURN_GENERATED_KEYS)) {
      ins.setString(1, domain);
      ins.setString(2, hash);
      ins.setString(3, observationJson);
      ins.setString(4, Jdbc.json(check));
      ins.setString(5, check.status().label());
      ins.setObject(6, at);
      ins.setObject(7, at);
      ins.executeUpdate();
      try (ResultSet keys = ins.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  private static boolean storeState(
      Connection c, String domain, long version, DriftState state, long snapshotId, OffsetDateTime at, String status)
      throws SQLException {
    if (version == 0) {
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO drift_state (domain, state, version, last_snapshot_id, last_checked_at, last_status) VALUES (?, ?, 1, ?, ?, ?)")) {
        ins.setString(1, domain);
        ins.setString(2, Jdbc.json(state));
        ins.setLong(3, snapshotId);
        ins.setObject(4, at);
        ins.setString(5, status);
        return ins.executeUpdate() == 1;
      }
    }
    try (PreparedStatement up =
        c.prepareStatement(
            "UPDATE drift_state SET state = ?, version = version + 1, last_snapshot_id = ?, last_checked_at = ?, last_status = ?"
                + " WHERE domain = ? AND version = ?")) {
      up.setString(1, Jdbc.json(state));
      up.setLong(2, snapshotId);
      up.setObject(3, at);
      up.setString(4, status);
      up.setString(5, domain);
      up.setLong(6, version);
      return up.executeUpdate() == 1;
    }
  }
}
