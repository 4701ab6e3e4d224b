package io.mxwatch.tls;

import java.util.List;
import java.util.Locale;

/**
 * Whether a certificate is for a host name, as RFC 6125 §6.4 says: the dNSName subject alternative
 * names (the common name only when there is none), a wildcard only as the whole leftmost label,
 * standing for exactly one label, never for a public suffix alone ({@code *.com}).
 */
public final class HostNames {
  private HostNames() {}

  public static boolean matches(CertificateFacts cert, String host) {
    String name = normal(host);
    List<String> names = cert.dnsNames();
    if (names.isEmpty()) {
      String cn = cert.commonName();
      return cn != null && matches(normal(cn), name);
    }
    for (String pattern : names) {
      if (matches(normal(pattern), name)) {
        return true;
      }
    }
    return false;
  }

  /** {@code pattern} (a name or {@code *.rest}) against a lowercase host name without a trailing dot. */
  static boolean matches(String pattern, String host) {
    if (pattern.isEmpty() || host.isEmpty()) {
      return false;
    }
    if (!pattern.startsWith("*.")) {
      return pattern.equals(host);
    }
    String rest = pattern.substring(2);
    if (rest.indexOf('.') < 0 || rest.contains("*")) {
      return false; // *.com, or a second wildcard: matches nothing
    }
    int dot = host.indexOf('.');
    return dot > 0 && host.substring(dot + 1).equals(rest);
  }

  private static String normal(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
