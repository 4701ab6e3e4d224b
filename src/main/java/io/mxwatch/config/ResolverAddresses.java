package io.mxwatch.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.xbill.DNS.Address;

/** Parses resolver addresses: {@code IP}, {@code IP:PORT}, {@code [IPv6]:PORT}. Never resolves a name. */
public final class ResolverAddresses {
  public static final int DNS_PORT = 53;

  private ResolverAddresses() {}

  /** @throws IllegalArgumentException naming the bad input */
  public static InetSocketAddress parse(String input) {
    String text = input.strip();
    String host = text;
    int port = DNS_PORT;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw bad(input, "missing ']'");
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw bad(input, "expected ':PORT' after ']'");
        }
        port = port(input, rest.substring(1));
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      host = text.substring(0, text.indexOf(':'));
      port = port(input, text.substring(text.indexOf(':') + 1));
    }
    byte[] bytes = Address.toByteArray(host, host.indexOf(':') >= 0 ? Address.IPv6 : Address.IPv4);
    if (bytes == null) {
      throw bad(input, "not an IP address (host names are not accepted for resolvers)");
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
    } catch (UnknownHostException e) {
      throw bad(input, e.getMessage());
    }
  }

  private static int port(String input, String digits) {
    if (!digits.matches("\\d{1,5}") || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
      throw bad(input, "port must be 1-65535");
    }
    return Integer.parseInt(digits);
  }

  private static IllegalArgumentException bad(String input, String why) {
    return new IllegalArgumentException(
        "'" + input + "' is not a resolver address (IP, IP:PORT or [IPv6]:PORT): " + why);
  }
}
