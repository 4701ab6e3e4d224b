package io.mxwatch.alert;

/**
 * Makes text from the network (banners, TXT data, host names) safe to show: control characters
 * (CR, LF, NUL, escape sequences …) become visible escapes, so they can neither fake a line nor
 * reach a header, and it is cut to a length a person can read.
 */
final class Untrusted {
  private Untrusted() {}

  /** {@code text} with control characters escaped, at most {@code max} characters (plus a note of what was cut). */
  static String line(String text, int max) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 32);
    int i = 0;
    for (; i < text.length() && out.length() < max; i++) {
      char c = text.charAt(i);
      if (c == '\r') {
        out.append("\\r");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.FORMAT) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (i < text.length()) {
      out.append(" … (").append(text.length() - i).append(" more characters)");
    }
    return out.toString();
  }

  /** {@code text} escaped for HTML element content and attribute values. */
  static String html(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A header value: one line, printable, at most {@code max} characters. */
  static String header(String text, int max) {
    return line(text, max).replaceAll("\\s+", " ").strip();
  }
}
