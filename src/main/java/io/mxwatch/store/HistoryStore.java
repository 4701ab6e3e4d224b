package io.mxwatch.store;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.DomainState;
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
import java.util.Set;
import java.util.function.Consumer;
import io.mxwatch.config.DomainPattern;
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

  /**
   * A domain's drift state with the version that {@link #record} must find unchanged, and what its
   * latest check left: the current snapshot (its id and content hash) and status.
   *
   * @param snapshotId null before the first check
   * @param contentHash the current snapshot's {@link #contentHash}; null before the first check
   */
  public record Loaded(DriftState state, long version, Long snapshotId, String contentHash, String status) {
    public static final Loaded NONE = new Loaded(DriftState.INITIAL, 0, null, null, null);
  }

  /**
   * What {@link #record} wrote: the state's new version and the snapshot the check belongs to.
   *
   * @param churning whether the check's new state replaced the domain's latest snapshot, because
   *     the domain already has {@link #CHURN_LIMIT} distinct snapshots of the last 24 hours
   */
  public record Recorded(long version, long snapshotId, boolean churning) {}

  /** A snapshot written by {@link #storeSnapshot}: its id, and whether it replaced the latest. */
  private record Stored(long id, boolean replaced) {}

  /**
   * One domain in a listing, from the columns alone (no JSON read).
   *
   * @param openChanges open changes when the state was last written, against the expectations of
   *     then; null when not counted
   */
  public record Listed(
      String domain, String lastStatus, Instant lastCheckedAt, Instant lastChangeAt, Integer openChanges, long version, Instant changedAt) {}

  /**
   * Which domains a listing returns.
   *
   * @param statuses the statuses wanted (ok, warning, critical, unknown); empty for all
   * @param open only domains that may have open changes (the count is null or above 0)
   * @param pattern only names it matches; null for all
   */
  public record Filter(Set<String> statuses, boolean open, DomainPattern pattern) {
    public static final Filter ALL = new Filter(Set.of(), false, null);

    public Filter {
      statuses = Set.copyOf(statuses);
    }
  }

  /** One run of identical checks. */
  public record StoredSnapshot(long id, String status, Instant firstSeen, Instant lastSeen, long seenCount, String contentHash) {}

  /** One confirmed change as stored. */
  /**
   * @param note how far a change of the MX set had propagated over the nameservers when it was
   *     confirmed; null for other changes
   */
  public record StoredEvent(
      long id, String code, String severity, String subject, String before, String after, Instant detectedAt, Instant confirmedAt, String note) {}

  /** The longest note kept (its column's size). */
  static final int MAX_NOTE = 1024;

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

  /**
   * When a domain was last checked: the later of its last recorded check and the last repeat of
   * its current snapshot (repeats are written to the snapshot's row only).
   */
  private static final String LAST_CHECKED =
      "CASE WHEN s.last_seen > d.last_checked_at THEN s.last_seen ELSE d.last_checked_at END";

  private static final String OVERVIEW =
      "SELECT d.domain, x.state, d.version, " + LAST_CHECKED + ", d.last_status, d.last_change_at FROM drift_state d"
          + " JOIN drift_state_content x ON x.domain = d.domain LEFT JOIN snapshot s ON s.id = d.last_snapshot_id";

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
        "SELECT s.id, s.status, s.first_seen, s.last_seen, s.seen_count, c.snapshot FROM drift_state d JOIN snapshot s ON s.id = d.last_snapshot_id"
            + " JOIN snapshot_content c ON c.snapshot_id = s.id WHERE d.domain = ?",
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
        "SELECT c.observation FROM snapshot s JOIN snapshot_content c ON c.snapshot_id = s.id WHERE s.domain = ? AND s.first_seen <= ?"
            + " ORDER BY s.first_seen DESC, s.id DESC FETCH FIRST 1 ROWS ONLY",
        rs -> out.add(Jdbc.read(rs.getString(1), Observation.class)),
        domain,
        at);
    return out.isEmpty() ? null : out.getFirst();
  }

  /** The drift state of {@code domain}; {@link Loaded#NONE} (version 0) when it was never checked. */
  public Loaded load(String domain) {
    List<Loaded> out = new ArrayList<>();
    jdbc.select(
        "loading the drift state of " + domain,
        "SELECT x.state, d.version, d.last_snapshot_id, s.content_hash, d.last_status FROM drift_state d"
            + " JOIN drift_state_content x ON x.domain = d.domain LEFT JOIN snapshot s ON s.id = d.last_snapshot_id WHERE d.domain = ?",
        rs -> out.add(new Loaded(Jdbc.read(rs.getString(1), DriftState.class), rs.getLong(2), rs.getObject(3, Long.class), rs.getString(4), rs.getString(5))),
        domain);
    return out.isEmpty() ? Loaded.NONE : out.getFirst();
  }

  /** The version of {@code domain}'s drift state (0 when never checked): one indexed read, no JSON. */
  public long version(String domain) {
    long[] out = {0};
    jdbc.select("reading the version of " + domain, "SELECT version FROM drift_state WHERE domain = ?", rs -> out[0] = rs.getLong(1), domain);
    return out[0];
  }

  /**
   * The versions of {@code domains} that were ever checked, in a few reads (a window's worth of
   * domains costs about what one {@link #version} costs per hundred).
   */
  public Map<String, Long> versions(java.util.Collection<String> domains) {
    Map<String, Long> out = new HashMap<>(domains.size() * 2);
    List<String> all = List.copyOf(domains);
    for (int from = 0; from < all.size(); from += VERSIONS_CHUNK) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + VERSIONS_CHUNK));
      jdbc.select(
          "reading the versions of " + chunk.size() + " domains",
          "SELECT domain, version FROM drift_state WHERE domain IN (" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")",
          rs -> out.put(rs.getString(1), rs.getLong(2)),
          chunk.toArray());
    }
    return out;
  }

  private static final int VERSIONS_CHUNK = 500;

  /**
   * The domains in name order after {@code after} (null: from the first) that {@code filter}
   * lets through, at most {@code limit}, handed to {@code row} as they are read.
   */
  public void list(Filter filter, String after, int limit, Consumer<Listed> row) {
    StringBuilder sql =
        new StringBuilder("SELECT " + LISTED + " FROM drift_state d LEFT JOIN snapshot s ON s.id = d.last_snapshot_id WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (after != null) {
      sql.append(" AND d.domain > ?");
      params.add(after);
    }
    if (!filter.statuses().isEmpty()) {
      sql.append(" AND d.last_status IN (").append(String.join(", ", java.util.Collections.nCopies(filter.statuses().size(), "?"))).append(")");
      params.addAll(new java.util.TreeSet<>(filter.statuses()));
    }
    if (filter.open()) {
      sql.append(" AND (d.open_changes IS NULL OR d.open_changes > 0)");
    }
    DomainPattern p = filter.pattern();
    if (p != null && !p.equals(DomainPattern.ALL)) {
      if (p.text().startsWith("*.")) {
        sql.append(" AND d.domain LIKE ? ESCAPE '!'");
        params.add("%" + p.text().substring(1).replace("!", "!!").replace("_", "!_").replace("%", "!%"));
      } else {
        sql.append(" AND d.domain = ?");
        params.add(p.text());
      }
    }
    // one status: the same order, said as the index (last_status, domain) keeps it, so that the
    // database reads the first rows of the index and stops (ORDER BY d.domain alone sorts them all)
    sql.append(filter.statuses().size() == 1 ? " ORDER BY d.last_status, d.domain" : " ORDER BY d.domain").append(" FETCH FIRST ? ROWS ONLY");
    params.add(limit);
    jdbc.select("listing the domains", sql.toString(), rs -> row.accept(listed(rs)), params.toArray());
  }

  /** The database's clock now: what {@link #changedSince} compares with. */
  public Instant now() {
    Instant[] out = {null};
    jdbc.select("reading the store's clock", "SELECT CURRENT_TIMESTAMP", rs -> out[0] = Jdbc.instant(rs, 1));
    return out[0];
  }

  /** The domains whose state was written at or after {@code since} (the database's clock), in any order. */
  public void changedSince(Instant since, Consumer<Listed> row) {
    jdbc.select(
        "reading the domains changed since " + since,
        "SELECT " + LISTED + " FROM drift_state d LEFT JOIN snapshot s ON s.id = d.last_snapshot_id WHERE d.changed_at >= ?",
        rs -> row.accept(listed(rs)),
        since);
  }

  private static final String LISTED =
      "d.domain, d.last_status, " + LAST_CHECKED + ", d.last_change_at, d.open_changes, d.version, d.changed_at";

  private static Listed listed(ResultSet rs) throws SQLException {
    return new Listed(
        rs.getString(1), rs.getString(2), Jdbc.instantOrNull(rs, 3), Jdbc.instantOrNull(rs, 4), rs.getObject(5, Integer.class), rs.getLong(6), Jdbc.instantOrNull(rs, 7));
  }

  /**
   * The content hash of an observation: equal observations (same records, addresses, banners and
   * findings; timestamps and latencies are not part of one) have equal hashes.
   */
  public static String contentHash(Observation observation) {
    return io.mxwatch.drift.Fingerprint.of(observation).hex();
  }

  /** The change_event.subject column's size. */
  static final int MAX_SUBJECT = 1024;

  /**
   * One check to record with the drift step it led to.
   *
   * @param version the version {@link #load} returned
   * @param openChanges what is open after the step, for the operator views' filters
   */
  public record Recording(String domain, long version, CheckResult check, Observation observation, DriftEngine.Step step, int openChanges) {}

  /**
   * Records one check of {@code domain} and the drift step it led to, atomically.
   *
   * @return the new version and the check's snapshot; null, with nothing written, when the state
   *     changed since it was loaded (an operator approved in between): load again and step again
   */
  public Recorded record(String domain, long version, CheckResult check, Observation observation, DriftEngine.Step step, int openChanges) {
    return recordAll(List.of(new Recording(domain, version, check, observation, step, openChanges))).getFirst();
  }

  /**
   * Records several checks in one transaction (a group commit: one write of the file for all),
   * each as {@link #record} would; a check whose state moved meanwhile is left out (its entry is
   * null) without affecting the others.
   *
   * @return per recording, in order: what was written, or null
   */
  public List<Recorded> recordAll(List<Recording> recordings) {
    List<Recorded> out = new ArrayList<>(recordings.size());
    String what = recordings.size() == 1 ? "recording the check of " + recordings.getFirst().domain() : "recording " + recordings.size() + " checks";
    jdbc.inTransaction(
        what,
        c -> {
          out.clear();
          for (Recording r : recordings) {
            java.sql.Savepoint before = recordings.size() == 1 ? null : c.setSavepoint();
            Recorded done = recordIn(c, r);
            if (done == null && before != null) {
              c.rollback(before); // this one only
            }
            out.add(done);
          }
          return out.stream().anyMatch(java.util.Objects::nonNull);
        });
    boolean events = false;
    for (int i = 0; i < recordings.size(); i++) {
      events |= out.get(i) != null && !recordings.get(i).step().events().isEmpty();
    }
    if (events) {
      jdbc.durable(what + " to disk"); // a confirmed change is never lost to a crash
    }
    return out;
  }

  private static Recorded recordIn(Connection c, Recording r) throws SQLException {
    String hash = contentHash(r.observation());
    CheckResult check = r.check();
    OffsetDateTime at = Jdbc.time(check.snapshot().checkedAt());
    if (r.version() == 0) {
      ensureDomain(c, r.domain(), at);
    }
    Long lastSnapshot = null;
    long current = 0;
    try (PreparedStatement q = c.prepareStatement("SELECT version, last_snapshot_id FROM drift_state WHERE domain = ?")) {
      q.setString(1, r.domain());
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          current = rs.getLong(1);
          lastSnapshot = rs.getObject(2, Long.class);
        }
      }
    }
    if (current != r.version()) {
      return null;
    }
    Stored stored = storeSnapshot(c, r.domain(), lastSnapshot, hash, r.observation(), check, at);
    long snapshot = stored.id();
    DriftEngine.Step step = r.step();
    Instant lastChange = step.events().stream().map(DriftEngine.ChangeEvent::confirmedAt).max(Instant::compareTo).orElse(null);
    if (!storeState(c, r.domain(), r.version(), step.state(), snapshot, at, check.status().label(), lastChange, r.openChanges())) {
      return null;
    }
    if (!step.events().isEmpty()) {
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO change_event (domain, code, severity, subject, before_value, after_value, detected_at, confirmed_at, snapshot_id, note)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (DriftEngine.ChangeEvent e : step.events()) {
          ins.setString(1, r.domain());
          ins.setString(2, e.change().code());
          ins.setString(3, e.change().severity().label());
          ins.setString(4, Jdbc.cut(e.change().subject(), MAX_SUBJECT));
          ins.setString(5, e.change().before());
          ins.setString(6, e.change().after());
          ins.setObject(7, Jdbc.time(e.detectedAt()));
          ins.setObject(8, Jdbc.time(e.confirmedAt()));
          ins.setLong(9, snapshot);
          ins.setString(10, e.note() == null ? null : Jdbc.cut(e.note(), MAX_NOTE));
          ins.addBatch();
        }
        ins.executeBatch();
      }
    }
    return new Recorded(r.version() + 1, snapshot, stored.replaced());
  }

  /**
   * Approves the confirmed state of {@code domain} as its new baseline and records who did it and
   * why.
   *
   * @return the state after approval
   * @throws StoreException when the domain was never checked
   */
  public DriftState approve(String domain, String by, String reason, Instant at) {
    return approve(domain, by, reason, at, null);
  }

  /**
   * {@link #approve(String, String, String, Instant)}, recording what stays open afterwards.
   *
   * @param openAfter counts what is open in the approved state (for the operator views' filters);
   *     null when unknown
   */
  public DriftState approve(String domain, String by, String reason, Instant at, java.util.function.ToIntFunction<DriftState> openAfter) {
    return approve(domain, by, reason, at, openAfter, null);
  }

  /** The confirmed state moved on from the one the approver was shown: nothing was approved. */
  public static final class StateMoved extends StoreException {
    StateMoved(String message) {
      super(message, null);
    }
  }

  /**
   * {@link #approve(String, String, String, Instant, java.util.function.ToIntFunction)}, only if
   * the confirmed state is still {@code expected} (what the approver was shown): checks that
   * repeat it do not matter, a newly confirmed change does.
   *
   * @param expected the confirmed state shown; null approves whatever is confirmed
   * @throws StateMoved when another state was confirmed meanwhile
   */
  public DriftState approve(
      String domain, String by, String reason, Instant at, java.util.function.ToIntFunction<DriftState> openAfter, DomainState expected) {
    for (int attempt = 0; attempt < 10; attempt++) {
      Loaded loaded = load(domain);
      if (loaded.version() == 0 || loaded.state().confirmed() == null) {
        throw new StoreException("cannot approve " + domain + ": it has no confirmed state yet", null);
      }
      if (expected != null && !expected.equals(loaded.state().confirmed())) {
        throw new StateMoved(domain + " has confirmed another change since its changes were shown: nothing approved; look again and ack what you see");
      }
      DriftState approved = loaded.state().approved();
      boolean done =
          jdbc.inTransaction(
              "approving " + domain,
              c -> {
                try (PreparedStatement up =
                        c.prepareStatement(
                            "UPDATE drift_state SET version = version + 1, alert_pending = TRUE, open_changes = ?, changed_at = CURRENT_TIMESTAMP"
                                + " WHERE domain = ? AND version = ?");
                    PreparedStatement ins =
                        c.prepareStatement("INSERT INTO approval (domain, approved_by, reason, approved_at, baseline) VALUES (?, ?, ?, ?, ?)")) {
                  up.setObject(1, openAfter == null ? null : openAfter.applyAsInt(approved));
                  up.setString(2, domain);
                  up.setLong(3, loaded.version());
                  if (up.executeUpdate() != 1) {
                    return false; // a check was recorded in between: approve what it confirmed
                  }
                  writeState(c, domain, approved, false);
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
        "SELECT id, code, severity, subject, before_value, after_value, detected_at, confirmed_at, note FROM change_event"
            + " WHERE domain = ? AND confirmed_at >= ? ORDER BY id",
        rs -> out.add(
            new StoredEvent(
                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), Jdbc.instant(rs, 7), Jdbc.instant(rs, 8),
                rs.getString(9))),
        domain,
        since);
    return out;
  }

  /**
   * Deletes snapshots last seen before {@code cutoff}, except each domain's latest. Change events
   * have a retention of their own ({@link #purgeEventsBefore}); approvals stay.
   *
   * @return how many snapshots were deleted
   */
  public int purgeSnapshotsBefore(Instant cutoff) {
    return jdbc.update(
        "deleting history before " + cutoff,
        "DELETE FROM snapshot WHERE last_seen < ? AND id NOT IN (SELECT last_snapshot_id FROM drift_state WHERE last_snapshot_id IS NOT NULL)",
        cutoff);
  }

  /**
   * Deletes change events confirmed before {@code cutoff} ({@code store.event_retention}): a
   * domain whose records change on every check must not grow the store for good. Approvals stay.
   *
   * @return how many events were deleted
   */
  public int purgeEventsBefore(Instant cutoff) {
    return jdbc.update("deleting change events before " + cutoff, "DELETE FROM change_event WHERE confirmed_at < ?", cutoff);
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

  /**
   * Distinct snapshots a domain keeps per {@link #CHURN_WINDOW}: a domain whose records change on
   * every check (a rotating MX set, a TXT record with a nonce) would otherwise add a snapshot per
   * check, 288 a day at 5 minutes, each kept for {@code store.retention}.
   */
  public static final int CHURN_LIMIT = 48;

  public static final java.time.Duration CHURN_WINDOW = java.time.Duration.ofHours(24);

  /**
   * The finding a check of a churning domain carries: in the snapshot that replaced the latest
   * one, and in the daemon's checks of the domain for {@link #CHURN_WINDOW} after.
   */
  public static io.mxwatch.audit.Finding churnFinding(String domain) {
    return io.mxwatch.audit.Finding.of(
        io.mxwatch.audit.FindingCode.RECORDS_CHURNING,
        domain,
        CHURN_LIMIT + " distinct states within 24 hours: each new state now replaces the latest snapshot instead of adding one");
  }

  private static Stored storeSnapshot(
      Connection c, String domain, Long lastSnapshot, String hash, Observation observation, CheckResult check, OffsetDateTime at)
      throws SQLException {
    if (lastSnapshot != null && (sameSnapshot(c, lastSnapshot, hash) || sameObservation(c, lastSnapshot, hash, observation))) {
      try (PreparedStatement up = c.prepareStatement("UPDATE snapshot SET last_seen = ?, seen_count = seen_count + 1, status = ? WHERE id = ?")) {
        Jdbc.bind(up, at, check.status().label(), lastSnapshot);
        up.executeUpdate();
      }
      return new Stored(lastSnapshot, false);
    }
    if (lastSnapshot != null && churning(c, domain, lastSnapshot, at)) {
      // past the day's limit the newest state replaces the latest one, which no change event needs
      try (PreparedStatement up =
              c.prepareStatement("UPDATE snapshot SET content_hash = ?, status = ?, first_seen = ?, last_seen = ?, seen_count = 1 WHERE id = ?");
          PreparedStatement content = c.prepareStatement("UPDATE snapshot_content SET observation = ?, snapshot = ? WHERE snapshot_id = ?")) {
        Jdbc.bind(up, hash, check.status().label(), at, at, lastSnapshot);
        up.executeUpdate();
        Jdbc.bind(content, Jdbc.json(observation), Jdbc.json(check.with(churnFinding(domain))), lastSnapshot);
        content.executeUpdate();
      }
      return new Stored(lastSnapshot, true);
    }
    long id;
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO snapshot (domain, content_hash, status, first_seen, last_seen, seen_count) VALUES (?, ?, ?, ?, ?, 1)",
            Statement.RETURN_GENERATED_KEYS)) {
      Jdbc.bind(ins, domain, hash, check.status().label(), at, at);
      ins.executeUpdate();
      try (ResultSet keys = ins.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
    }
    try (PreparedStatement ins = c.prepareStatement("INSERT INTO snapshot_content (snapshot_id, observation, snapshot) VALUES (?, ?, ?)")) {
      Jdbc.bind(ins, id, Jdbc.json(observation), Jdbc.json(check));
      ins.executeUpdate();
    }
    return new Stored(id, false);
  }

  /**
   * Whether the domain already has {@link #CHURN_LIMIT} snapshots first seen within the last
   * {@link #CHURN_WINDOW}, and its latest is not where a change event was confirmed.
   */
  private static boolean churning(Connection c, String domain, long latest, OffsetDateTime at) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM snapshot WHERE domain = ? AND first_seen > ?")) {
      Jdbc.bind(q, domain, at.minus(CHURN_WINDOW));
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next() || rs.getInt(1) < CHURN_LIMIT) {
          return false;
        }
      }
    }
    try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM change_event WHERE snapshot_id = ?")) {
      Jdbc.bind(q, latest);
      try (ResultSet rs = q.executeQuery()) {
        return !rs.next();
      }
    }
  }

  private static boolean sameSnapshot(Connection c, long id, String hash) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM snapshot WHERE id = ? AND content_hash = ?")) {
      Jdbc.bind(q, id, hash);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Whether snapshot {@code id} holds {@code observation} although its hash differs: a row written
   * with an earlier form of the hash (it then takes the current one), compared by content.
   */
  private static boolean sameObservation(Connection c, long id, String hash, Observation observation) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT observation FROM snapshot_content WHERE snapshot_id = ?")) {
      Jdbc.bind(q, id);
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next() || !observation.equals(Jdbc.read(rs.getString(1), Observation.class))) {
          return false;
        }
      }
    } catch (SQLException unreadable) {
      return false; // a row this version cannot read: a new snapshot then
    }
    try (PreparedStatement up = c.prepareStatement("UPDATE snapshot SET content_hash = ? WHERE id = ?")) {
      Jdbc.bind(up, hash, id);
      up.executeUpdate();
    }
    return true;
  }

  private static boolean storeState(
      Connection c, String domain, long version, DriftState state, long snapshotId, OffsetDateTime at, String status, Instant lastChange, int open)
      throws SQLException {
    if (version == 0) {
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO drift_state (domain, version, last_snapshot_id, last_checked_at, last_status, last_change_at, open_changes, alert_pending,"
                  + " changed_at) VALUES (?, 1, ?, ?, ?, ?, ?, TRUE, CURRENT_TIMESTAMP)")) {
        Jdbc.bind(ins, domain, snapshotId, at, status, lastChange, open);
        if (ins.executeUpdate() != 1) {
          return false;
        }
      }
      writeState(c, domain, state, true);
      return true;
    }
    try (PreparedStatement up =
        c.prepareStatement(
            "UPDATE drift_state SET version = version + 1, last_snapshot_id = ?, last_checked_at = ?, last_status = ?,"
                + " last_change_at = COALESCE(?, last_change_at), open_changes = ?, alert_pending = TRUE, changed_at = CURRENT_TIMESTAMP"
                + " WHERE domain = ? AND version = ?")) {
      Jdbc.bind(up, snapshotId, at, status, lastChange, open, domain, version);
      if (up.executeUpdate() != 1) {
        return false;
      }
    }
    writeState(c, domain, state, false);
    return true;
  }

  /**
   * The state's JSON, beside its row in drift_state (which the caller wrote first, guarded by
   * its version, in the same transaction).
   */
  private static void writeState(Connection c, String domain, DriftState state, boolean first) throws SQLException {
    try (PreparedStatement w =
        c.prepareStatement(
            first ? "INSERT INTO drift_state_content (state, domain) VALUES (?, ?)" : "UPDATE drift_state_content SET state = ? WHERE domain = ?")) {
      Jdbc.bind(w, Jdbc.json(state), domain);
      if (w.executeUpdate() != 1) {
        throw new SQLException("the state of " + domain + " has no row of content", "23000");
      }
    }
  }
}
