package io.mxwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mxwatch.config.MxwatchConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default store belongs to mxwatch's user: private directory and files, and a password. */
class LocalStoreTest {
  @TempDir Path tmp;

  /** The default store in {@code dataDir}, as the configuration gives it without a store section. */
  static MxwatchConfig.Store store(Path dataDir) {
    return new MxwatchConfig.Store(dataDir, null, "", null, Duration.ofDays(90), Duration.ofDays(730));
  }

  /**
   * Whether the store answers, on a connection that is closed again: a connection left to the
   * garbage collector makes H2 write "not closed by the application" into the trace file of
   * whichever store opens a connection next, which the trace-file tests would then find.
   */
  static boolean valid(Database db) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      return c.isValid(5);
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static String password(Path dataDir) throws Exception {
    return Files.readString(dataDir.resolve(LocalStore.PASSWORD_FILE)).strip();
  }

  private static boolean opens(Path dataDir, String password) {
    try (Connection c = DriverManager.getConnection(Database.h2Url(dataDir), "", password)) {
      return c.isValid(5);
    } catch (SQLException e) {
      assertThat(e.getMessage()).contains("Wrong user name or password");
      return false;
    }
  }

  @Test
  void aNewStoreIsPrivateAndNeedsThePasswordOnlyItsUserCanRead() throws Exception {
    Path data = tmp.resolve("state/data");

    try (Database db = Stores.open(store(data))) {
      assertThat(mode(data)).isEqualTo("rwx------");
      assertThat(mode(data.resolve("mxwatch.mv.db"))).isEqualTo("rw-------");
      assertThat(mode(data.resolve(LocalStore.PASSWORD_FILE))).isEqualTo("rw-------");
      assertThat(password(data)).hasSizeGreaterThanOrEqualTo(32);
      // the open file is served to other processes (AUTO_SERVER): they need the password
      assertThat(opens(data, "")).as("no password").isFalse();
      assertThat(opens(data, password(data))).isTrue();
    }
    try (Database again = Stores.open(store(data))) {
      assertThat(valid(again)).as("the same password on the next start").isTrue();
    }
  }

  @Test
  void aNewStoreStartsWithNothingInH2sTraceFile() throws Exception {
    Path data = tmp.resolve("data");
    try (Database db = Stores.open(store(data))) {
      assertThat(valid(db)).isTrue();
    }
    try (Database again = Stores.open(store(data))) {
      assertThat(valid(again)).isTrue();
    }
    assertThat(data.resolve("mxwatch.trace.db")).as("H2 writes errors there, and a first start had none").doesNotExist();
  }

  @Test
  void anOperatorCommandBesideARunningDaemonLeavesNothingInH2sTraceFile() throws Exception {
    Path data = tmp.resolve("data");
    try (Database db = Stores.open(store(data))) {
      assertThat(valid(db)).isTrue();
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process daemon =
        new ProcessBuilder(java.toString(), "-Dh2.bindAddress=127.0.0.1", "-cp", System.getProperty("java.class.path"), HolderChild.class.getName(), data.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (var out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).as("the child holds the store").isEqualTo("open");
      assertThat(data.resolve("mxwatch.lock.db")).as("held as a daemon holds it").exists();
      // what an operator command does: the file is held, so the store is reached through its holder
      try (Database command = Stores.open(store(data))) {
        assertThat(valid(command)).isTrue();
      }
    } finally {
      daemon.getOutputStream().close();
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
    assertThat(data.resolve("mxwatch.trace.db"))
        .as("finding the file held is expected, not an error for H2's trace file")
        .doesNotExist();
  }

  @Test
  void aStoreMadeBeforeItHadAPasswordGetsOneAndKeepsItsData() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    try (Database old = Database.open(Database.h2Url(data), "", "")) {
      try (Connection c = old.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept_marker (x INT)");
        s.execute("INSERT INTO kept_marker VALUES (7)");
      }
    }
    Files.setPosixFilePermissions(data.resolve("mxwatch.mv.db"), PosixFilePermissions.fromString("rw-r--r--"));

    try (Database db = Stores.open(store(data))) {
      assertThat(opens(data, "")).as("the empty password no longer opens it").isFalse();
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT x FROM kept_marker")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
      assertThat(mode(data.resolve("mxwatch.mv.db"))).isEqualTo("rw-------");
    }
  }

  @Test
  void aPasswordSetJustBeforeACrashIsFoundInItsSideFile() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    Database.open(Database.h2Url(data), "", "").close();
    // the state a crash leaves between setting the password and moving its file into place
    try (Connection c = DriverManager.getConnection(Database.h2Url(data), "", "");
        Statement s = c.createStatement()) {
      s.execute("ALTER USER \"\" SET PASSWORD 'set-before-the-crash'");
    }
    Files.writeString(data.resolve("store-password.new"), "set-before-the-crash\n");

    try (Database db = Stores.open(store(data))) {
      assertThat(password(data)).isEqualTo("set-before-the-crash");
      assertThat(Files.exists(data.resolve("store-password.new"))).isFalse();
    }
  }

  @Test
  void anEmptyPasswordFileIsAClearError() throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    Files.writeString(data.resolve(LocalStore.PASSWORD_FILE), "\n");

    assertThatThrownBy(() -> Stores.open(store(data))).hasMessageContaining("store-password is empty");
  }
}
