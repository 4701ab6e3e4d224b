package io.mxwatch.config;

import java.net.IDN;
import java.util.Locale;

/** Validates and normalises the mail domains mxwatch is asked to watch. */
public final class DomainNames {
  private DomainNames() {}

  /**
   * The domain in lowercase ASCII (IDNs as A-labels), without a trailing dot.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static String normalize(String input) {
    return name(input, true);
  }

  /**
   * Like {@link #normalize}, but a single label ({@code test}, {@code com}) is a name too: the
   * suffix of a pattern such as {@code *.test}.
   */
  public static String normalizeSuffix(String input) {
    return name(input, false);
  }

  private static String name(String input, boolean mailDomain) {
    String name = input.strip();
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("'" + input + "' is not a domain name: it is empty");
    }
    if (name.startsWith(".") || name.contains("..")) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: empty label");
    }
    String ascii;
    try {
      // plain ASCII names need no IDNA conversion, which is costly on lists of 100,000 domains
      ascii = (isAscii(name) ? name : IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES)).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: " + e.getMessage());
    }
    if (ascii.length() > 253) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: longer than 253 characters");
    }
    if (mailDomain && ascii.indexOf('.') < 0) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a mail domain: it needs at least two labels");
    }
    int start = 0;
    for (int end = ascii.indexOf('.'); ; end = ascii.indexOf('.', start)) {
      int stop = end < 0 ? ascii.length() : end;
      if (stop == start) {
        throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: empty label");
      }
      if (!isLdhLabel(ascii, start, stop)) {
        throw new IllegalArgumentException(
            "'" + printable(input) + "' is not a domain name: label '" + ascii.substring(start, stop)
                + "' must be 1-63 letters, digits or inner hyphens");
      }
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    if (isNumeric(ascii, start)) {
      throw new IllegalArgumentException("'" + printable(input) + "' is not a domain name: an IP address or a numeric top-level label");
    }
    return ascii;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** A label of 1 to 63 lowercase letters, digits and hyphens, not starting or ending with one. */
  private static boolean isLdhLabel(String s, int start, int end) {
    if (end - start > 63 || s.charAt(start) == '-' || s.charAt(end - 1) == '-') {
      return false;
    }
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String s, int start) {
    for (int i = start; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
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
