package io.mxwatch.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The errors of one configuration, each as {@code file:line: key: message}, collected so that all
 * are reported at once; and the checks of single values that add them.
 */
final class Problems {
  private final String source;
  private final Map<String, Integer> lines;
  private final List<String> errors = new ArrayList<>();

  Problems(String source, Map<String, Integer> lines) {
    this.source = source;
    this.lines = lines;
  }

  /** Whether the file has a key (or list element) at {@code path}. */
  boolean has(String path) {
    return lines.containsKey(path);
  }

  /** Adds an error that no single key is to blame for (a file that cannot be read). */
  void add(String message) {
    errors.add(message);
  }

  List<String> sink() {
    return errors;
  }

  void throwIfAny() throws ConfigException {
    if (!errors.isEmpty()) {
      throw new ConfigException(String.join("\n", errors));
    }
  }

  Duration duration(String path, String text, Duration fallback, Duration min, Duration max) {
    if (text == null) {
      return fallback;
    }
    Duration d = value(path, text, Durations::parse, null);
    if (d == null) {
      return fallback;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      error(path, "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", got " + text);
      return fallback;
    }
    return d;
  }

  int number(String path, Integer value, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      error(path, "must be between " + min + " and " + max + ", got " + value);
      return fallback;
    }
    return value;
  }

  <T> T value(String path, String text, Function<String, T> parse, T fallback) {
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      error(path, e.getMessage());
      return fallback;
    }
  }

  void error(String path, String message) {
    if (path.startsWith("MXWATCH_")) {
      errors.add("environment variable " + path + ": " + message);
      return;
    }
    Integer line = lines.get(path);
    errors.add(source + (line == null ? "" : ":" + line) + ": " + path + ": " + message);
  }
}
