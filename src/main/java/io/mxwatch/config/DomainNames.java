package io.mxwatch.config;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validates and normalises the mail domains mxwatch is asked to watch. */
public final class DomainNames {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private DomainNames() {}

  /**
   * The domain in lowercase ASCII (IDNs as A-labels), without a trailing dot.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static String normalize(String input) {
    String name = input.strip();
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("'" + input + "' is not a domain name: it is empty");
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty()) {
        throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: empty label");
      }
    }
    String ascii;
    try {
      // plain ASCII names need no IDNA conversion, which is costly on lists of 100,000 domains
      ascii = (name.chars().allMatch(c -> c < 0x80) ? name : IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES))
          .toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: " + e.getMessage());
    }
    if (ascii.length() > 253) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: longer than 253 characters");
    }
    String[] labels = ascii.split("\\.", -1);
    if (labels.length < 2) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a mail domain: it needs at least two labels");
    }
    for (String label : labels) {
      if (label.isEmpty()) {
        throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: empty label");
      }
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            "'" + printable(input) + "' is not a domain name: label '" + label + "' must be 1-63 letters, digits or inner hyphens");
      }
    }
    if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: an IP address or a numeric top-level label");
    }
    return ascii;
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().limit(300).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }
}
