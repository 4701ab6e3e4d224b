package io.mxwatch.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The history database: a HikariCP pool over the configured JDBC URL (an H2 file by default,
 * PostgreSQL with the same code), its schema brought up to date by Flyway before anything else
 * touches it.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;

  private Database(HikariDataSource pool) {
    this.pool = pool;
  }

  /** The default store: an H2 file {@code mxwatch} in {@code directory}. */
  public static String h2Url(java.nio.file.Path directory) {
    // AUTO_SERVER: the first process to open the file serves it to the others (the operator
    // commands while the daemon runs) over a TCP port on the address in the h2.bindAddress system
    // property, which Main sets to loopback.
    // WRITE_DELAY=0: each commit reaches the file at once; H2's default of a second would lose
    // the last second of committed checks to a kill -9 (KillNineTest).
    // retry: H2 closes the whole database when a thread is interrupted during file I/O (as
    // Quartz does to its threads on shutdown); this file system reopens the file and retries.
    // QUERY_CACHE_SIZE: parsed statements kept per connection; the daemon's dozen or so statements
    // cycle through a few pooled connections, and H2's default of 8 would parse most of them anew.
    // MAX_COMPACT_TIME=0: no compaction when the file is closed; H2 spends up to 200 ms there by
    // default, half of what an operator command such as `status` costs when it opens the file
    // itself, and the daemon compacts while it runs (compact) whenever the file needs it.
    return "jdbc:h2:retry:" + directory.toAbsolutePath().resolve("mxwatch") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;QUERY_CACHE_SIZE=64;MAX_COMPACT_TIME=0";
  }

  /**
   * Opens the pool and migrates the schema.
   *
   * @throws StoreException naming the URL (without credentials) when the database cannot be
   *     opened or migrated
   */
  public static Database open(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName("mxwatch-store");
    config.setMaximumPoolSize(8);
    config.setAutoCommit(true);
    config.setInitializationFailTimeout(1); // one attempt: a missing or locked database is reported at once
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open the database " + withoutSecrets(jdbcUrl) + ": " + rootMessage(e), e);
    }
    try {
      if (!current(pool)) {
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
      }
    } catch (FlywayException e) {
      pool.close();
      throw new StoreException("cannot migrate the database " + withoutSecrets(jdbcUrl) + ": " + rootMessage(e), e);
    }
    return new Database(pool);
  }

  /** The newest migration in {@code db/migration}: a store at this version needs none. */
  static final String SCHEMA_VERSION = "7";

  /**
   * Whether the schema is at {@link #SCHEMA_VERSION} already: one indexed read instead of Flyway
   * scanning and checksumming every migration, which an operator command would pay at each run.
   */
  private static boolean current(DataSource db) {
    try (java.sql.Connection c = db.getConnection()) {
      // asked of the catalogue first: a query of a missing table is an error H2 writes to its
      // trace file, which a new store would otherwise get at its first start
      try (java.sql.ResultSet t = c.getMetaData().getTables(null, null, "flyway_schema_history", null)) {
        if (!t.next()) {
          return false; // a new store: no history table yet
        }
      }
      try (java.sql.PreparedStatement q =
          c.prepareStatement("SELECT 1 FROM \"flyway_schema_history\" WHERE \"version\" = ? AND \"success\" = TRUE")) {
        q.setString(1, SCHEMA_VERSION);
        try (java.sql.ResultSet rs = q.executeQuery()) {
          return rs.next();
        }
      }
    } catch (java.sql.SQLException e) {
      return false; // Flyway looks for itself
    }
  }

  public DataSource dataSource() {
    return pool;
  }

  /**
   * The share of the file that is live data (per cent) under which the file is compacted: the
   * file stays under about twice its live data, and a steady store costs no compaction at all.
   */
  static final int COMPACT_BELOW_LIVE_SHARE = 60;

  /**
   * Gives back the file space of pages written over since (H2 only; PostgreSQL's autovacuum does
   * that). An H2 file that writes every commit at once (WRITE_DELAY=0) never compacts on its own:
   * every commit leaves the pages it replaced behind. In the process that holds the file, once
   * less than {@value #COMPACT_BELOW_LIVE_SHARE} % of it is live, this rewrites the live pages of
   * mostly-dead chunks, moves chunks down and shrinks the file, for at most {@code budget}; in a
   * process connected to another's file it asks for a CHECKPOINT, which does the first part.
   */
  public void compact(java.time.Duration budget) {
    if (!pool.getJdbcUrl().startsWith("jdbc:h2:")) {
      return;
    }
    try (java.sql.Connection c = pool.getConnection()) {
      org.h2.engine.Session session = c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
      if (session instanceof org.h2.engine.SessionLocal local && local.getDatabase().getStore() != null) {
        org.h2.mvstore.db.Store store = local.getDatabase().getStore();
        if (liveShare(store.getMvStore().getFileStore()) < COMPACT_BELOW_LIVE_SHARE) {
          store.compactFile((int) budget.toMillis());
        }
      } else {
        try (java.sql.Statement st = c.createStatement()) {
          st.execute("CHECKPOINT");
        }
      }
    } catch (java.sql.SQLException | RuntimeException e) {
      throw new StoreException("compacting the store failed: " + e.getMessage(), e);
    }
  }

  /**
   * The live share of an H2 file, per cent: the share of the file that chunks take (getFillRate,
   * dead pages in them included) times the share of the chunks' bytes that is live.
   */
  static int liveShare(org.h2.mvstore.FileStore<?> file) {
    return file.getFillRate() * file.getChunksFillRate() / 100;
  }

  @Override
  public void close() {
    pool.close();
  }

  /** {@code url} with any password in it masked. */
  static String withoutSecrets(String url) {
    return url.replaceAll("(?i)(password|pwd)=[^;&]*", "$1=***");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
