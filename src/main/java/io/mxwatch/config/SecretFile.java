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
  static MxwatchConfig.Secret read(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return new MxwatchConfig.Secret(text.stripTrailing());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
