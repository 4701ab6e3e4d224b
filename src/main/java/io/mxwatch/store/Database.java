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
    return "jdbc:h2:retry:" + directory.toAbsolutePath().resolve("mxwatch") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
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
      Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new StoreException("cannot migrate the database " + withoutSecrets(jdbcUrl) + ": " + rootMessage(e), e);
    }
    return new Database(pool);
  }

  public DataSource dataSource() {
    return pool;
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
