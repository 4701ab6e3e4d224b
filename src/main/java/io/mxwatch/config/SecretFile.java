package io.mxwatch.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A secret kept in a file of its own (a systemd credential, a container secret). */
final class SecretFile {
  private SecretFile() {}

  /**
   * The file's content without a trailing line break.
   *
   * @throws IllegalArgumentException naming the file, never its content
   */
  /** Secrets are short: a token or a password, not a file to stream. */
  static final int MAX_BYTES = 64 * 1024;

  static MxwatchConfig.Secret read(Path file) {
    try {
      if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException("cannot read " + file + ": larger than " + MAX_BYTES / 1024 + " KiB, not a secret");
      }
      warnIfOpen(file);
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return new MxwatchConfig.Secret(text.stripTrailing());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * Warns when other users can read the file (a refusal would break container platforms that
   * mount secrets 0644 by default).
   */
  private static void warnIfOpen(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    var mode = Files.getPosixFilePermissions(file);
    if (mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
      org.slf4j.LoggerFactory.getLogger(SecretFile.class)
          .warn("{} is readable by every user on this host (mode {}): chmod 600 it (or 640 with a group mxwatch is in)", file, java.nio.file.attribute.PosixFilePermissions.toString(mode));
    }
  }
}
