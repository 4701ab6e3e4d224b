package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.DomainNames;
import io.mxwatch.config.DomainsFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Domains from the command line and from files of one domain per line ({@code #} starts a comment,
 * blank lines are skipped). A file is read twice: once to validate every line before any check
 * starts, once lazily while checking, so that its size does not matter.
 */
final class DomainList {
  private DomainList() {}

  /** Validates and normalises command-line domains, dropping repeats. */
  static List<String> fromArguments(List<String> arguments) throws ConfigException {
    Set<String> domains = new LinkedHashSet<>();
    for (String argument : arguments) {
      try {
        domains.add(DomainNames.normalize(argument));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
    }
    return List.copyOf(domains);
  }

  /** Checks every line of the file; the first bad one is reported with its line number. */
  static int validate(Path file) throws ConfigException {
    int count = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        String domain = strip(line);
        if (domain.isEmpty()) {
          continue;
        }
        try {
          DomainNames.normalize(domain);
          count++;
        } catch (IllegalArgumentException e) {
          throw new ConfigException(file + ":" + lineNumber + ": " + e.getMessage());
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException("cannot read domains file " + file + ": no such file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new ConfigException("cannot read domains file " + file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException("cannot read domains file " + file + ": " + e.getMessage());
    }
    return count;
  }

  /** The domains of a validated file, read as they are needed. Close the reader when done. */
  static Iterator<String> stream(BufferedReader in) {
    return new Iterator<>() {
      private String next = advance();

      private String advance() {
        try {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            String domain = strip(line);
            if (!domain.isEmpty()) {
              return DomainNames.normalize(domain);
            }
          }
          return null;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public String next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        String current = next;
        next = advance();
        return current;
      }
    };
  }

  private static String strip(String line) {
    return DomainsFile.strip(line);
  }
}
