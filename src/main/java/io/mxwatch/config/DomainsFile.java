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
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int number = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        number++;
        String text = strip(line);
        if (text.isEmpty()) {
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
    } catch (IOException e) {
      errors.add("cannot read domains file " + name + ": " + e.getMessage());
    }
    if (bad > MAX_ERRORS) {
      errors.add(name + ": " + (bad - MAX_ERRORS) + " more bad lines");
    }
    return new ArrayList<>(domains);
  }
}
