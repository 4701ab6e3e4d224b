package io.mxwatch.tls;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An MTA-STS policy (RFC 8461 §3.2), parsed strictly: what a compliant sender would take from the
 * policy file, and what is wrong with it.
 *
 * @param version {@code STSv1}, or null when missing
 * @param mode {@code enforce}, {@code testing} or {@code none}; null when missing or invalid
 * @param maxAge seconds a sender caches the policy (0–31557600); -1 when missing or invalid
 * @param mx the MX patterns, lowercase, as written ({@code mail.example.com}, {@code *.example.net})
 * @param errors problems that make senders discard the policy (RFC 8461 §3.2: it is then as if
 *     there were none)
 * @param warnings problems senders tolerate: unknown keys, LF-only line ends, a very short
 *     max_age
 */
public record MtaStsPolicy(String version, String mode, long maxAge, List<String> mx, List<String> errors, List<String> warnings) {
  public static final long MAX_AGE_LIMIT = 31_557_600;
  /** A max_age below a day gives senders little protection between their fetches (RFC 8461 §3.2 recommends weeks). */
  static final long SHORT_MAX_AGE = 86_400;
  private static final int MAX_PATTERNS = 100;

  public MtaStsPolicy {
    mx = List.copyOf(mx);
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  /**
   * Parses a policy body (at most 64 KiB, as fetched). Lines end in CRLF; LF alone is taken with a
   * warning, as most senders do.
   */
  public static MtaStsPolicy parse(String body) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (body.indexOf('\n') >= 0 && !body.contains("\r\n")) {
      warnings.add("lines end in LF alone; RFC 8461 asks for CRLF");
    }
    String version = null;
    String mode = null;
    long maxAge = -1;
    List<String> mx = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int number = 0;
    for (String raw : body.split("\r?\n", -1)) {
      number++;
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        errors.add("line " + number + " is not 'key: value': " + shown(line));
        continue;
      }
      String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (!key.equals("mx") && !seen.add(key)) {
        errors.add("'" + key + "' appears more than once");
        continue;
      }
      switch (key) {
        case "version" -> {
          version = value;
          if (!value.equals("STSv1")) {
            errors.add("version is '" + shown(value) + "', not STSv1");
          }
        }
        case "mode" -> {
          switch (value) {
            case "enforce", "testing", "none" -> mode = value;
            default -> errors.add("mode is '" + shown(value) + "', not enforce, testing or none");
          }
        }
        case "max_age" -> {
          if (!value.matches("\\d{1,10}") || Long.parseLong(value) > MAX_AGE_LIMIT) {
            errors.add("max_age is '" + shown(value) + "', not a number of seconds from 0 to " + MAX_AGE_LIMIT);
          } else {
            maxAge = Long.parseLong(value);
            if (maxAge < SHORT_MAX_AGE) {
              warnings.add("max_age is " + maxAge + " s: senders refetch (and go without the policy when they cannot) that often");
            }
          }
        }
        case "mx" -> {
          String problem = patternProblem(value);
          if (problem != null) {
            errors.add("mx '" + shown(value) + "': " + problem);
          } else if (mx.size() < MAX_PATTERNS) {
            mx.add(value.toLowerCase(Locale.ROOT));
          }
        }
        default -> warnings.add("unknown key '" + shown(key) + "' (ignored by senders)" + (key.contains("mx") ? ": a misspelt mx?" : ""));
      }
    }
    if (version == null) {
      errors.add("no version: STSv1");
    }
    if (mode == null && errors.stream().noneMatch(e -> e.startsWith("mode"))) {
      errors.add("no mode");
    }
    if (maxAge < 0 && errors.stream().noneMatch(e -> e.startsWith("max_age"))) {
      errors.add("no max_age");
    }
    if (mx.isEmpty() && !"none".equals(mode)) {
      errors.add("no mx pattern: no exchange can be used");
    }
    return new MtaStsPolicy(version, mode, maxAge, mx, errors, warnings);
  }

  /** Whether {@code host} (an exchange, lowercase, no trailing dot) matches one of the patterns. */
  public boolean covers(String host) {
    for (String pattern : mx) {
      if (matches(pattern, host)) {
        return true;
      }
    }
    return false;
  }

  /**
   * RFC 8461 §4.1: a name matches itself; {@code *.example.com} matches exactly one more label on
   * the left ({@code mail.example.com}, not {@code a.b.example.com} nor {@code example.com}). Plain
   * label comparison, no regular expression: {@code mail.example.com.evil.net} never matches
   * {@code *.example.com}.
   */
  public static boolean matches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (!p.startsWith("*.")) {
      return p.equals(h);
    }
    int dot = h.indexOf('.');
    return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
  }

  /** Why an mx value is not a pattern, or null. */
  static String patternProblem(String value) {
    if (value.isEmpty()) {
      return "empty";
    }
    String name = value.startsWith("*.") ? value.substring(2) : value;
    if (name.matches("[0-9.]+") || name.contains(":") || name.startsWith("[")) {
      return "an IP address: patterns are host names";
    }
    if (name.contains("*")) {
      return "a wildcard may only be the whole leftmost label";
    }
    if (!name.matches("(?i)[a-z0-9_-]+(\\.[a-z0-9_-]+)+\\.?") || name.length() > 253) {
      return "not a host name";
    }
    return null;
  }

  private static String shown(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.length() > 100 ? out + "…" : out.toString();
  }
}
