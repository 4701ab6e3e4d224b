package io.mxwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mxwatch.snapshot.SnapshotJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import javax.sql.DataSource;

/** The JDBC plumbing of the store: transactions, queries by domain and time, value conversions. */
final class Jdbc {
  static final ObjectMapper JSON = SnapshotJson.mapper();

  private final DataSource db;

  Jdbc(DataSource db) {
    this.db = db;
  }

  /**
   * {@code value} cut to fit a column of {@code max} characters, ending with "…" when cut: a
   * value from the network (an SMTP banner in a change's subject) must never make a write fail.
   */
  static String cut(String value, int max) {
    if (value == null || value.length() <= max) {
      return value;
    }
    int end = max - 1;
    if (Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(0, end) + "…";
  }

  /** Whether the store is an H2 database: null until first asked. */
  private volatile Boolean h2;

  /**
   * Makes what was committed so far reach the file, and the disk, before this returns: for the
   * writes a crash must not take back (a confirmed change, an alert decided, an email marked
   * sent). PostgreSQL's commit already is durable. H2 writes a commit to its file at once only
   * when no other thread is writing the file at that moment; otherwise the commit waits, in
   * memory, for the next one, and a kill -9 in between loses it. H2's {@code CHECKPOINT SYNC}
   * writes and syncs whatever is pending.
   */
  void durable(String step) {
    if (Boolean.FALSE.equals(h2)) {
      return; // not H2: no connection taken for nothing
    }
    try (Connection c = db.getConnection()) {
      if (h2 == null) {
        h2 = c.getMetaData().getDatabaseProductName().equals("H2");
      }
      if (h2) {
        try (java.sql.Statement s = c.createStatement()) {
          s.execute("CHECKPOINT SYNC");
        }
      }
    } catch (SQLException e) {
      throw new StoreException(step + " failed: " + e.getMessage(), e);
    }
  }

  /** Work inside one transaction: true keeps what it wrote, false undoes it. */
  interface Work {
    boolean run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one transaction, committed only when it returns true. */
  boolean inTransaction(String step, Work work) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        boolean keep = work.run(c);
        if (keep) {
          c.commit();
        } else {
          c.rollback();
        }
        return keep;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(step + " failed: " + e.getMessage(), e);
    }
  }

  interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  /** Runs a query with {@code params} (Instants as UTC times) and hands each row to {@code row}. */
  void select(String step, String sql, Row row, Object... params) {
    try (Connection c = db.getConnection();
        PreparedStatement q = c.prepareStatement(sql)) {
      bind(q, params);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          row.read(rs);
        }
      }
    } catch (SQLException e) {
      throw new StoreException(step + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs one statement with {@code params} in its own transaction and returns the rows it changed. */
  int update(String step, String sql, Object... params) {
    try (Connection c = db.getConnection();
        PreparedStatement u = c.prepareStatement(sql)) {
      bind(u, params);
      return u.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException(step + " failed: " + e.getMessage(), e);
    }
  }

  static void bind(PreparedStatement s, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      s.setObject(i + 1, p instanceof Instant t ? time(t) : p);
    }
  }

  /** A JSON column read as {@code type}; unreadable JSON fails the query that read it. */
  static <T> T read(String json, Class<T> type) throws SQLException {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  static OffsetDateTime time(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instantOrNull(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
