package io.mxwatch.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A file of one domain per line; {@code #} starts a comment, blank lines are skipped. */
public final class DomainsFile {
  private static final int MAX_ERRORS = 20;
  /** The largest domains file: 64 MiB is about two million domains. */
  static final long MAX_BYTES = 64L * 1024 * 1024;
  /** The longest line taken as a domain (with a comment): a name has at most 253 characters. */
  static final int MAX_LINE = 4096;

  /** Reading past {@link #MAX_BYTES} (a special file whose size says nothing). */
  private static final class TooLarge extends IOException {}

  /** {@code in}, failing with {@link TooLarge} past {@link #MAX_BYTES}. */
  private static java.io.InputStream bounded(java.io.InputStream in) {
    return new java.io.FilterInputStream(in) {
      private long read;

      @Override
      public int read() throws IOException {
        int b = super.read();
        count(b < 0 ? 0 : 1);
        return b;
      }

      @Override
      public int read(byte[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        count(Math.max(n, 0));
        return n;
      }

      private void count(int n) throws IOException {
        read += n;
        if (read > MAX_BYTES) {
          throw new TooLarge();
        }
      }
    };
  }

  private DomainsFile() {}

  /** The text of a line without its comment and surrounding blanks. */
  public static String strip(String line) {
    int hash = line.indexOf('#');
    return (hash >= 0 ? line.substring(0, hash) : line).strip();
  }

  /**
   * The normalised domains of {@code file}, repeats dropped. Bad lines are added to {@code errors}
   * as {@code name:line: message} (the first twenty, then a count), {@code name} being the file
   * as the configuration names it.
   */
  static List<String> read(Path file, String name, List<String> errors) {
    Set<String> domains = new LinkedHashSet<>();
    int bad = 0;
    try {
      if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
        errors.add("cannot read domains file " + name + ": larger than " + MAX_BYTES / (1024 * 1024) + " MiB (about 2 million domains)");
        return List.of();
      }
    } catch (IOException e) {
      errors.add("cannot read domains file " + name + ": " + e.getMessage());
      return List.of();
    }
    try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(bounded(Files.newInputStream(file)), StandardCharsets.UTF_8.newDecoder()))) {
      int number = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        number++;
        String text = line.length() > MAX_LINE ? line : strip(line);
        if (text.isEmpty()) {
          continue;
        }
        String problem =
            text.length() > MAX_LINE
                ? "a line of " + text.length() + " characters: a domain name has at most 253"
                : text.indexOf('\0') >= 0 ? "a NUL byte: this is not a text file" : null;
        if (problem != null) {
          if (++bad <= MAX_ERRORS) {
            errors.add(name + ":" + number + ": " + problem);
          }
          continue;
        }
        try {
          domains.add(DomainNames.normalize(text));
        } catch (IllegalArgumentException e) {
          if (++bad <= MAX_ERRORS) {
            errors.add(name + ":" + number + ": " + e.getMessage());
          }
        }
      }
    } catch (NoSuchFileException e) {
      errors.add("cannot read domains file " + name + ": no such file");
    } catch (MalformedInputException e) {
      errors.add("cannot read domains file " + name + ": not UTF-8 text");
    } catch (TooLarge e) {
      errors.add("cannot read domains file " + name + ": larger than " + MAX_BYTES / (1024 * 1024) + " MiB (about 2 million domains)");
    } catch (IOException e) {
      errors.add("cannot read domains file " + name + ": " + e.getMessage());
    }
    if (bad > MAX_ERRORS) {
      errors.add(name + ": " + (bad - MAX_ERRORS) + " more bad lines");
    }
    return new ArrayList<>(domains);
  }
}
