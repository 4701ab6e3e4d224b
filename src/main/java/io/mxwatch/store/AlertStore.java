package io.mxwatch.store;

import io.mxwatch.alert.AlertRepository;
import io.mxwatch.alert.Email;
import io.mxwatch.alert.GroupState;
import io.mxwatch.alert.Notification;
import io.mxwatch.alert.SilenceRule;
import io.mxwatch.audit.Severity;
import io.mxwatch.config.DomainPattern;
import io.mxwatch.drift.DriftState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/** The alert groups, the outbox and the silences, over JDBC (H2 or PostgreSQL). */
public final class AlertStore implements AlertRepository {
  private static final String PENDING = "pending";
  private static final String SENT = "sent";
  private static final String FAILED = "failed";
  /** Separates recipients (and refused recipients) in one column; never part of an address. */
  private static final String LIST_SEPARATOR = "\n";

  private final Jdbc jdbc;

  public AlertStore(DataSource db) {
    this.jdbc = new Jdbc(db);
  }

  @Override
  public List<Due> due(Instant now, int limit) {
    // two indexed reads instead of comparing every domain's versions: the states that moved since
    // their last evaluation, and the timers that fell due
    Map<String, Due> out = new java.util.TreeMap<>();
    Jdbc.Row add = rs -> out.putIfAbsent(rs.getString(1), new Due(rs.getString(1), Jdbc.read(rs.getString(2), DriftState.class), rs.getLong(3), rs.getLong(4)));
    jdbc.select(
        "finding the domains due for alert evaluation",
        "SELECT d.domain, x.state, d.version, COALESCE(a.version, 0) FROM drift_state d JOIN drift_state_content x ON x.domain = d.domain"
            + " LEFT JOIN alert_domain a ON a.domain = d.domain"
            + " WHERE d.alert_pending = TRUE ORDER BY d.domain FETCH FIRST ? ROWS ONLY",
        add,
        limit);
    jdbc.select(
        "finding the domains due for alert evaluation",
        "SELECT d.domain, x.state, d.version, a.version FROM alert_domain a JOIN drift_state d ON d.domain = a.domain"
            + " JOIN drift_state_content x ON x.domain = d.domain"
            + " WHERE a.due_at <= ? ORDER BY a.domain FETCH FIRST ? ROWS ONLY",
        add,
        now,
        limit);
    return out.values().stream().limit(limit).toList();
  }

  @Override
  public void markAllDue(Instant now) {
    jdbc.update(
        "marking every domain due for alert evaluation", "UPDATE alert_domain SET due_at = ? WHERE due_at IS NULL OR due_at > ?", now, now);
  }

  @Override
  public Map<String, GroupState> groups(String domain) {
    Map<String, GroupState> out = new HashMap<>();
    jdbc.select(
        "loading the alert groups of " + domain,
        "SELECT route, state FROM alert_group WHERE domain = ?",
        rs -> out.put(rs.getString(1), Jdbc.read(rs.getString(2), GroupState.class)),
        domain);
    return out;
  }

  @Override
  public List<Confirmation> confirmations(String domain, Instant since) {
    List<Confirmation> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    jdbc.select(
        "reading the change events of " + domain,
        "SELECT code, subject, detected_at, confirmed_at, note FROM change_event WHERE domain = ? AND confirmed_at >= ? ORDER BY id DESC",
        rs -> {
          if (seen.add(rs.getString(1) + " " + rs.getString(2))) {
            out.add(new Confirmation(rs.getString(1), rs.getString(2), Jdbc.instant(rs, 3), Jdbc.instant(rs, 4), rs.getString(5)));
          }
        },
        domain,
        since);
    return out;
  }

  @Override
  public boolean commit(Evaluation e) {
    boolean done = commitIn(e);
    if (done && !e.emails().isEmpty()) {
      // on disk before the sender can hand one of them to the relay: a decision lost to a crash
      // would be made again with a new Message-ID, a second page
      jdbc.durable("writing the alert emails of " + e.domain() + " to disk");
    }
    return done;
  }

  private boolean commitIn(Evaluation e) {
    return jdbc.inTransaction(
        "recording the alert evaluation of " + e.domain(),
        c -> {
          if (!advance(c, e)) {
            return false;
          }
          try (PreparedStatement done = c.prepareStatement("UPDATE drift_state SET alert_pending = FALSE WHERE domain = ? AND version = ?")) {
            Jdbc.bind(done, e.domain(), e.driftVersion());
            done.executeUpdate(); // a state that moved meanwhile stays pending
          }
          try (PreparedStatement del = c.prepareStatement("DELETE FROM alert_group WHERE domain = ?")) {
            del.setString(1, e.domain());
            del.executeUpdate();
          }
          try (PreparedStatement ins = c.prepareStatement("INSERT INTO alert_group (domain, route, state, updated_at) VALUES (?, ?, ?, ?)")) {
            for (Map.Entry<String, GroupState> g : e.groups().entrySet()) {
              Jdbc.bind(ins, e.domain(), g.getKey(), Jdbc.json(g.getValue()), e.at());
              ins.addBatch();
            }
            ins.executeBatch();
          }
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO outbox (domain, route, kind, severity, message_id, in_reply_to, recipients, subject, text_body, html_body,"
                      + " created_at, status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")) {
            for (Email m : e.emails()) {
              Jdbc.bind(
                  ins,
                  m.domain(),
                  m.route(),
                  m.kind().name(),
                  m.severity().label(),
                  m.messageId(),
                  m.inReplyTo(),
                  String.join(LIST_SEPARATOR, m.to()),
                  Jdbc.cut(m.subject(), 1000), // the column; the composer keeps subjects far shorter
                  m.text(),
                  m.html(),
                  m.createdAt(),
                  PENDING,
                  e.at());
              ins.addBatch();
            }
            ins.executeBatch();
          }
          return true;
        });
  }

  /** Moves the domain's evaluation row on, if nobody else did since it was read. */
  private static boolean advance(Connection c, Evaluation e) throws SQLException {
    if (e.evaluation() == 0) {
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO alert_domain (domain, drift_version, due_at, version) VALUES (?, ?, ?, 1)")) {
        Jdbc.bind(ins, e.domain(), e.driftVersion(), e.dueAt());
        return ins.executeUpdate() == 1;
      } catch (SQLException conflict) {
        if ("23505".equals(conflict.getSQLState())) {
          return false; // inserted by another daemon at the same moment
        }
        throw conflict;
      }
    }
    try (PreparedStatement up =
        c.prepareStatement("UPDATE alert_domain SET drift_version = ?, due_at = ?, version = version + 1 WHERE domain = ? AND version = ?")) {
      Jdbc.bind(up, e.driftVersion(), e.dueAt(), e.domain(), e.evaluation());
      return up.executeUpdate() == 1;
    }
  }

  @Override
  public List<Queued> sendable(Instant now, int limit) {
    List<Queued> out = new ArrayList<>();
    jdbc.select(
        "reading the outbox",
        "SELECT o.id, o.domain, o.route, o.kind, o.severity, o.message_id, o.in_reply_to, o.recipients, o.subject, o.text_body, o.html_body,"
            + " o.created_at, o.attempts FROM outbox o WHERE o.status = ? AND o.next_attempt_at <= ?"
            + " AND (o.claimed_until IS NULL OR o.claimed_until <= CURRENT_TIMESTAMP)"
            + " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.domain = o.domain AND p.route = o.route AND p.status = ? AND p.id < o.id)"
            + " ORDER BY o.id FETCH FIRST ? ROWS ONLY",
        rs ->
            out.add(
                new Queued(
                    rs.getLong(1),
                    new Email(
                        rs.getString(2),
                        rs.getString(3),
                        Notification.Kind.valueOf(rs.getString(4)),
                        Severity.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)),
                        rs.getString(6),
                        rs.getString(7),
                        Arrays.asList(rs.getString(8).split(LIST_SEPARATOR)),
                        rs.getString(9),
                        rs.getString(10),
                        rs.getString(11),
                        Jdbc.instant(rs, 12)),
                    rs.getInt(13))),
        PENDING,
        now,
        PENDING,
        limit);
    return out;
  }

  @Override
  public boolean claim(long id, String owner, java.time.Duration lease) {
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("a claim needs a positive lease: " + lease);
    }
    // a literal interval: both H2 and PostgreSQL read INTERVAL 'n.nnn' SECOND; the value is a number
    String interval = "INTERVAL '" + java.math.BigDecimal.valueOf(lease.toMillis(), 3).toPlainString() + "' SECOND";
    return jdbc.update(
            "claiming outbox email " + id,
            "UPDATE outbox SET claimed_by = ?, claimed_until = CURRENT_TIMESTAMP + " + interval
                + " WHERE id = ? AND status = ? AND (claimed_until IS NULL OR claimed_until <= CURRENT_TIMESTAMP)",
            owner,
            id,
            PENDING)
        == 1;
  }

  @Override
  public void retryAllNow(Instant now) {
    jdbc.update("making the waiting alert emails due", "UPDATE outbox SET next_attempt_at = ? WHERE status = ? AND next_attempt_at > ?", now, PENDING, now);
  }

  @Override
  public boolean sent(long id, String owner, Instant at, List<String> rejected) {
    String sql = "UPDATE outbox SET status = ?, sent_at = ?, rejected = ?, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL WHERE id = ?";
    String refused = rejected.isEmpty() ? null : String.join(LIST_SEPARATOR, rejected);
    boolean held = jdbc.update("marking outbox email " + id + " sent", sql + " AND claimed_by = ?", SENT, at, refused, id, owner) == 1;
    if (!held) {
      jdbc.update("marking outbox email " + id + " sent", sql + " AND status = ?", SENT, at, refused, id, PENDING);
    }
    // on disk before the next email goes to the relay: a mark lost to a crash sends it again
    jdbc.durable("writing outbox email " + id + "'s sent mark to disk");
    return held;
  }

  @Override
  public boolean retry(long id, String owner, int attempts, Instant next, String error) {
    return jdbc.update(
            "rescheduling outbox email " + id,
            "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
            attempts,
            next,
            error,
            id,
            owner)
        == 1;
  }

  @Override
  public boolean failed(long id, String owner, Instant at, String error) {
    return jdbc.update(
            "marking outbox email " + id + " undeliverable",
            "UPDATE outbox SET status = ?, last_error = ?, sent_at = ?, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL"
                + " WHERE id = ? AND claimed_by = ?",
            FAILED,
            error,
            at,
            id,
            owner)
        == 1;
  }

  @Override
  public OutboxSummary outbox(int undeliverableLimit) {
    int[] pending = {0};
    Instant[] oldest = {null};
    String[] lastError = {null};
    jdbc.select(
        "reading the outbox",
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = ?",
        rs -> {
          pending[0] = rs.getInt(1);
          oldest[0] = Jdbc.instantOrNull(rs, 2);
        },
        PENDING);
    jdbc.select(
        "reading the outbox",
        "SELECT last_error FROM outbox WHERE status = ? AND last_error IS NOT NULL ORDER BY next_attempt_at DESC FETCH FIRST 1 ROWS ONLY",
        rs -> lastError[0] = rs.getString(1),
        PENDING);
    List<Undeliverable> undeliverable = new ArrayList<>();
    jdbc.select(
        "reading the undeliverable alerts",
        "SELECT id, domain, subject, created_at, status, last_error, rejected FROM outbox WHERE status = ? OR rejected IS NOT NULL"
            + " ORDER BY id DESC FETCH FIRST ? ROWS ONLY",
        rs ->
            undeliverable.add(
                new Undeliverable(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getString(3),
                    Jdbc.instant(rs, 4),
                    FAILED.equals(rs.getString(5)) ? rs.getString(6) : "refused recipients: " + rs.getString(7).replace(LIST_SEPARATOR, ", "))),
        FAILED,
        undeliverableLimit);
    return new OutboxSummary(pending[0], oldest[0], lastError[0], undeliverable);
  }

  /** Deletes emails sent (or given up) before {@code cutoff}; pending ones stay, whatever their age. */
  public int purgeSentBefore(Instant cutoff) {
    return jdbc.update("deleting sent alerts before " + cutoff, "DELETE FROM outbox WHERE status <> ? AND sent_at < ?", PENDING, cutoff);
  }

  @Override
  public long addSilence(SilenceRule s, Instant at) {
    long[] id = {0};
    jdbc.inTransaction(
        "adding a silence for " + s.pattern(),
        c -> {
          try (PreparedStatement ins =
              c.prepareStatement(
                  "INSERT INTO silence (pattern, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                  Statement.RETURN_GENERATED_KEYS)) {
            Jdbc.bind(ins, s.pattern().text(), s.start(), s.end(), s.reason(), s.by(), at);
            ins.executeUpdate();
            try (ResultSet keys = ins.getGeneratedKeys()) {
              keys.next();
              id[0] = keys.getLong(1);
            }
          }
          return true;
        });
    return id[0];
  }

  @Override
  public List<SilenceRule> silences(Instant endsAfter) {
    List<SilenceRule> out = new ArrayList<>();
    jdbc.select(
        "reading the silences",
        "SELECT id, pattern, starts_at, ends_at, reason, created_by FROM silence WHERE ends_at > ? ORDER BY starts_at, id",
        rs ->
            out.add(
                new SilenceRule(
                    rs.getLong(1), DomainPattern.parse(rs.getString(2)), Jdbc.instant(rs, 3), Jdbc.instant(rs, 4), rs.getString(5), rs.getString(6))),
        endsAfter);
    return out;
  }

  @Override
  public boolean expireSilence(long id, Instant now) {
    return jdbc.update("ending silence " + id, "UPDATE silence SET ends_at = ? WHERE id = ? AND ends_at > ?", now, id, now) == 1;
  }
}
