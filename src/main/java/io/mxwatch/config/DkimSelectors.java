package io.mxwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validates DKIM selectors (RFC 6376 §3.1: dot-separated labels of letters, digits and inner
 * hyphens; underscores are accepted, as some signers use them). Each selector costs one TXT lookup
 * per check, so a domain has at most {@value #MAX} of them.
 */
public final class DkimSelectors {
  /** Most selectors per domain. */
  public static final int MAX = 16;
  private static final int MAX_LENGTH = 200;

  private DkimSelectors() {}

  /**
   * The selectors, lowercase, each once, in the order given.
   *
   * @throws IllegalArgumentException saying which selector is wrong and why
   */
  public static List<String> normalize(List<String> selectors) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : selectors) {
      out.add(normalize(s));
    }
    if (out.size() > MAX) {
      throw new IllegalArgumentException(out.size() + " selectors: at most " + MAX + " (each is a lookup in every check)");
    }
    return List.copyOf(new ArrayList<>(out));
  }

  /** One selector, lowercase. */
  public static String normalize(String selector) {
    if (selector == null || selector.isBlank()) {
      throw new IllegalArgumentException("a selector cannot be empty");
    }
    String s = selector.strip().toLowerCase(Locale.ROOT);
    if (s.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("selector '" + s.substring(0, 40) + "…' is longer than " + MAX_LENGTH + " characters");
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")) {
        throw new IllegalArgumentException(
            "'" + printable(selector) + "' is not a DKIM selector: labels of 1-63 letters, digits, underscores or inner hyphens, separated by dots (e.g. s1 or 2026.mail)");
      }
    }
    if (s.endsWith("._domainkey") || s.contains("._domainkey.")) {
      throw new IllegalArgumentException("'" + printable(selector) + "' is not a DKIM selector: give the selector alone, without ._domainkey and the domain");
    }
    return s;
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 60; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
