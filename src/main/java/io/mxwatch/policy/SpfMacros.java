package io.mxwatch.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The macro language of RFC 7208 §7: syntax checks, and expansion where the values are known. */
final class SpfMacros {
  private static final Pattern TOPLABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");
  private static final String LETTERS = "slodiphcrtv";
  private static final String EXP_ONLY = "crt";
  private static final String DELIMITERS = ".-+,/_=";

  private SpfMacros() {}

  /**
   * Checks a domain-spec: a macro-string that ends in "." toplabel (optionally ".") or a macro.
   * Returns the problem, or null when it is well formed.
   */
  static String checkDomainSpec(String spec) {
    String problem = checkMacroString(spec, false);
    if (problem != null) {
      return problem;
    }
    if (endsWithMacro(spec)) {
      return null;
    }
    String body = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
    int dot = body.lastIndexOf('.');
    if (dot < 0) {
      return "'" + spec + "' is not a domain name with at least two labels";
    }
    String top = body.substring(dot + 1);
    if (!TOPLABEL.matcher(top).matches() || (top.chars().noneMatch(Character::isLetter) && top.indexOf('-') < 0)) {
      return "'" + top + "' is not a valid top-level label";
    }
    if (spec.indexOf('%') < 0) {
      for (String label : body.split("\\.", -1)) {
        if (label.isEmpty()) {
          return "'" + spec + "' has an empty label";
        }
        if (label.length() > 63) {
          return "'" + spec + "' has a label longer than 63 characters";
        }
      }
      if (body.length() > 253) {
        return "'" + spec + "' is longer than 253 characters";
      }
    }
    return null;
  }

  private static boolean endsWithMacro(String spec) {
    if (spec.endsWith("}")) {
      int open = spec.lastIndexOf("%{");
      return open >= 0 && spec.indexOf('}', open) == spec.length() - 1;
    }
    if (spec.length() >= 2 && spec.charAt(spec.length() - 2) == '%') {
      // %% %_ %- at the end, but not an escaped percent followed by one of these
      int percents = 0;
      for (int i = spec.length() - 2; i >= 0 && spec.charAt(i) == '%'; i--) {
        percents++;
      }
      return percents % 2 == 1 && "%_-".indexOf(spec.charAt(spec.length() - 1)) >= 0;
    }
    return false;
  }

  /** Checks a macro-string; {@code expText} allows the letters c, r and t. */
  static String checkMacroString(String value, boolean expText) {
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c != '%') {
        if (c < 0x21 || c > 0x7e) {
          return "character outside printable ASCII";
        }
        i++;
        continue;
      }
      if (i + 1 >= value.length()) {
        return "'%' at the end: a literal percent is written %%";
      }
      char next = value.charAt(i + 1);
      if (next == '%' || next == '_' || next == '-') {
        i += 2;
        continue;
      }
      if (next != '{') {
        return "'%" + next + "' is not a macro: use %{x}, %%, %_ or %-";
      }
      int close = value.indexOf('}', i);
      if (close < 0) {
        return "unterminated macro '" + value.substring(i) + "'";
      }
      String problem = checkMacroBody(value.substring(i + 2, close), expText);
      if (problem != null) {
        return problem;
      }
      i = close + 1;
    }
    return null;
  }

  private static String checkMacroBody(String body, boolean expText) {
    if (body.isEmpty()) {
      return "empty macro %{}";
    }
    char letter = Character.toLowerCase(body.charAt(0));
    if (LETTERS.indexOf(letter) < 0) {
      return "unknown macro letter '" + body.charAt(0) + "'";
    }
    if (!expText && EXP_ONLY.indexOf(letter) >= 0) {
      return "macro letter '" + letter + "' is allowed only in exp text";
    }
    int i = 1;
    int digitsStart = i;
    while (i < body.length() && Character.isDigit(body.charAt(i))) {
      i++;
    }
    if (i > digitsStart && Integer.parseInt(body.substring(digitsStart, Math.min(i, digitsStart + 4))) == 0) {
      return "macro transformer digits must not be zero";
    }
    if (i < body.length() && Character.toLowerCase(body.charAt(i)) == 'r') {
      i++;
    }
    for (; i < body.length(); i++) {
      if (DELIMITERS.indexOf(body.charAt(i)) < 0) {
        return "bad macro delimiter '" + body.charAt(i) + "'";
      }
    }
    return null;
  }

  /**
   * Expands a well-formed domain-spec when every macro letter in it has a value in {@code values}
   * (lowercase letter to value); returns null otherwise.
   */
  static String expand(String spec, Map<Character, String> values) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < spec.length()) {
      char c = spec.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      char next = spec.charAt(i + 1);
      switch (next) {
        case '%' -> out.append('%');
        case '_' -> out.append(' ');
        case '-' -> out.append("%20");
        default -> {
          int close = spec.indexOf('}', i);
          String body = spec.substring(i + 2, close);
          String value = values.get(Character.toLowerCase(body.charAt(0)));
          if (value == null) {
            return null;
          }
          out.append(transform(value, body.substring(1)));
          i = close + 1;
          continue;
        }
      }
      i += 2;
    }
    return out.toString();
  }

  /** Applies transformers (digits, r) and delimiters to a macro value (RFC 7208 §7.3). */
  private static String transform(String value, String transformers) {
    int i = 0;
    while (i < transformers.length() && Character.isDigit(transformers.charAt(i))) {
      i++;
    }
    int keep = i == 0 ? Integer.MAX_VALUE : Integer.parseInt(transformers.substring(0, Math.min(i, 4)));
    boolean reverse = i < transformers.length() && Character.toLowerCase(transformers.charAt(i)) == 'r';
    String delimiters = transformers.substring(reverse ? i + 1 : i);
    if (delimiters.isEmpty()) {
      delimiters = ".";
    }
    StringBuilder splitOn = new StringBuilder("[");
    for (char d : delimiters.toCharArray()) {
      splitOn.append('\\').append(d);
    }
    List<String> parts = new ArrayList<>(List.of(value.split(splitOn.append(']').toString(), -1)));
    if (reverse) {
      Collections.reverse(parts);
    }
    if (keep < parts.size()) {
      parts = parts.subList(parts.size() - keep, parts.size());
    }
    return String.join(".", parts);
  }
}
