package io.mxwatch.dns;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.xbill.DNS.Name;

/**
 * A domain name as mxwatch reports it: lowercase, without the trailing dot, special characters
 * escaped as in a zone file ({@code name.toString(true)} in lowercase).
 */
public final class NameText {
  private NameText() {}

  /**
   * The name's text. Names of letters, digits, hyphens and underscores (all a check asks for)
   * need no escaping and are read straight from their wire form, without the string building of
   * dnsjava's {@link Name#toString(boolean)}, which a check of many domains otherwise calls
   * several times per domain; anything else is left to it.
   */
  public static String of(Name name) {
    if (!name.isAbsolute() || name.labels() < 2) {
      return slow(name);
    }
    byte[] wire = name.toWireCanonical(); // each label after its length, lowercase, the root's 0 last
    byte[] text = new byte[wire.length - 2];
    int at = 0;
    for (int i = 0; wire[i] != 0; ) {
      int length = wire[i++];
      if (at > 0) {
        text[at++] = '.';
      }
      for (int end = i + length; i < end; i++) {
        byte c = wire[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
          return slow(name);
        }
        text[at++] = c;
      }
    }
    return new String(text, StandardCharsets.ISO_8859_1);
  }

  private static String slow(Name name) {
    return name.toString(true).toLowerCase(Locale.ROOT);
  }
}
