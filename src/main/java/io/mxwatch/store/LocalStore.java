package io.mxwatch.store;

import io.mxwatch.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default store, an H2 file in the data directory, kept to mxwatch's own user: the directory
 * is created 0700 and its files made 0600, and the database has a password that mxwatch
 * generates on first use and keeps in {@value #PASSWORD_FILE} (0600) beside it. H2 serves the
 * open file to the operator commands over a loopback port ({@code AUTO_SERVER}); without the
 * password, which only mxwatch's user can read, another local account cannot use that port.
 *
 * <p>A store created before it had a password is given one at its first open: the new password
 * is written to a side file first, set in the database, then moved into place, so a crash in
 * between leaves a store that the next open still reaches.
 */
final class LocalStore {
  private static final Logger log = LoggerFactory.getLogger(LocalStore.class);
  static final String PASSWORD_FILE = "store-password";
  private static final String PENDING_FILE = "store-password.new";
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private LocalStore() {}

  /**
   * Creates the data directory (0700) when missing, warns when an existing one is open to others,
   * and returns the store's password, setting one on a store that has none yet.
   *
   * @param user the database user ({@code store.user}, empty by default)
   * @param configured the password set in the configuration ({@code store.password}), which is
   *     then used as it is; null for mxwatch's own
   */
  static String prepare(Path dataDir, String url, String user, String configured) throws ConfigException {
    createPrivate(dataDir);
    if (configured != null) {
      return configured;
    }
    Path file = dataDir.resolve(PASSWORD_FILE);
    String password = read(file);
    if (password == null) {
      password = firstPassword(dataDir, url, user);
    }
    return password; // Stores.open makes the files private once the store is open
  }

  private static void createPrivate(Path dir) throws ConfigException {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir.toAbsolutePath().getParent());
        try {
          if (posix(dir.toAbsolutePath().getParent())) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
          } else {
            Files.createDirectory(dir);
          }
        } catch (FileAlreadyExistsException e) {
          // made by another process meanwhile: checked below like any existing directory
        }
      }
      if (posix(dir)) {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.stream().anyMatch(OTHERS::contains)) {
          log.warn(
              "the data directory {} is open to other users (mode {}): its store holds the history and the alert outbox; chmod 700 {}",
              dir.toAbsolutePath(),
              PosixFilePermissions.toString(mode),
              dir.toAbsolutePath());
        }
      }
    } catch (IOException e) {
      throw new ConfigException("cannot create the data directory " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** The password in {@code file}; null when there is none yet. */
  private static String read(Path file) throws ConfigException {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (text.isEmpty()) {
        throw new ConfigException(file.toAbsolutePath() + " is empty: restore it from a backup, or delete it and the store with it");
      }
      if (posix(file) && Files.getPosixFilePermissions(file).stream().anyMatch(OTHERS::contains)) {
        log.warn("{} is readable by other users: chmod 600 {}", file.toAbsolutePath(), file.toAbsolutePath());
      }
      return text;
    } catch (NoSuchFileException e) {
      return null;
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "cannot read the store's password " + file.toAbsolutePath() + ": permission denied (run mxwatch as the user that owns the data directory)", e);
    } catch (IOException e) {
      throw new ConfigException("cannot read the store's password " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** Gives a store without a password file its password: a new store's, or an older store's. */
  private static String firstPassword(Path dataDir, String url, String user) throws ConfigException {
    Path file = dataDir.resolve(PASSWORD_FILE);
    Path pending = dataDir.resolve(PENDING_FILE);
    List<String> tried = new ArrayList<>();
    String previous = read(pending); // a crash between setting it and moving it into place
    if (previous != null) {
      tried.add(previous);
    }
    tried.add("");
    String password = previous != null ? previous : generate();
    try {
      if (previous == null) {
        writePrivate(pending, password);
      }
      boolean exists = Files.exists(dataDir.resolve("mxwatch.mv.db"));
      if (exists) {
        setPassword(url, user, tried, password);
      }
      Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE);
      if (exists) {
        log.info("the store in {} has a password now, kept in {}", dataDir.toAbsolutePath(), file.toAbsolutePath());
      }
      return password;
    } catch (IOException e) {
      throw new ConfigException("cannot write the store's password " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  /** Sets {@code password} on an existing store, opening it with the first of {@code tried} that works. */
  private static void setPassword(String url, String user, List<String> tried, String password) throws ConfigException {
    SQLException last = null;
    for (String candidate : tried) {
      try (Connection c = DriverManager.getConnection(url, user, candidate);
          Statement s = c.createStatement()) {
        if (!candidate.equals(password)) {
          // the password is base64url: no quote can end the literal
          s.execute("ALTER USER \"" + user.replace("\"", "\"\"") + "\" SET PASSWORD '" + password + "'");
        }
        return;
      } catch (SQLException e) {
        last = e;
      }
    }
    throw new ConfigException("cannot open the store to give it a password: " + (last == null ? "" : last.getMessage()), last);
  }

  private static void writePrivate(Path file, String text) throws IOException {
    if (posix(file.toAbsolutePath().getParent())) {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    }
    Files.writeString(file, text + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
  }

  /**
   * After a crash (the lock file that H2 removes at a clean close is still there), opens the
   * store once on its own and closes it cleanly before the daemon uses it. H2 recovers a file
   * whose last writer was killed when it opens it, but it keeps writing after its last chunk
   * without settling its file header; killed again soon, it then loses its newest commits (a few
   * tens of milliseconds of them, measured in 3 of 25 kill cycles; 0 of 30 with this close).
   * Skipped when another process has the file open: that one settled it.
   */
  static void settleAfterCrash(Path dataDir, String user, String password) {
    if (!Files.exists(dataDir.resolve("mxwatch.lock.db")) || !Files.exists(dataDir.resolve("mxwatch.mv.db"))) {
      return;
    }
    // TRACE_LEVEL_FILE=0: when a running daemon holds the file this open fails, as expected, and
    // H2 would otherwise write its stack trace to mxwatch.trace.db at every operator command
    String alone = "jdbc:h2:retry:" + dataDir.toAbsolutePath().resolve("mxwatch") + ";TRACE_LEVEL_FILE=0";
    try (Connection c = DriverManager.getConnection(alone, user, password);
        Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      log.info("the store in {} was not closed cleanly (mxwatch was killed or crashed): recovered", dataDir.toAbsolutePath());
    } catch (SQLException e) {
      log.debug("not settling the store in {}: {}", dataDir.toAbsolutePath(), e.getMessage());
    }
  }

  /** Makes the store's files 0600: H2 creates them with the process's umask. */
  static void restrictFiles(Path dataDir) {
    if (!posix(dataDir)) {
      return;
    }
    try (var files = Files.list(dataDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("mxwatch.") && Files.isRegularFile(p)).toList()) {
        if (Files.getPosixFilePermissions(f).stream().anyMatch(OTHERS::contains)) {
          Files.setPosixFilePermissions(f, FILE);
        }
      }
    } catch (IOException e) {
      log.warn("cannot make the store's files in {} private: {}", dataDir.toAbsolutePath(), e.toString());
    }
  }

  private static String generate() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static boolean posix(Path p) {
    return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
