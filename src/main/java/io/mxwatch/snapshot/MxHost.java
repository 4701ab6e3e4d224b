package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsStatus;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One exchange and its addresses.
 *
 * @param preference the MX preference (0 for the implicit MX)
 * @param exchange the exchange name, lowercase, without the trailing dot ("." for a null MX entry)
 * @param ttl the MX record's TTL in seconds (0 for the implicit MX)
 * @param cname the first CNAME target when the exchange name is an alias, else null
 * @param aOutcome the A lookup, null when the name was not looked up
 * @param aaaaOutcome the AAAA lookup, null when the name was not looked up
 * @param addresses IPv4 then IPv6 addresses, each with its TTL
 * @param tlsa its TLSA records at {@code _25._tcp.<exchange>} (DANE); null when they were not
 *     looked up (DNSSEC validation off, not a name, past the exchanges looked up)
 */
public record MxHost(
    int preference,
    String exchange,
    long ttl,
    String cname,
    DnsStatus aOutcome,
    DnsStatus aaaaOutcome,
    List<HostAddress> addresses,
    io.mxwatch.tls.TlsaSet tlsa) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  public MxHost {
    addresses = List.copyOf(addresses);
  }

  /** An exchange whose TLSA records were not looked up. */
  public MxHost(int preference, String exchange, long ttl, String cname, DnsStatus aOutcome, DnsStatus aaaaOutcome, List<HostAddress> addresses) {
    this(preference, exchange, ttl, cname, aOutcome, aaaaOutcome, addresses, null);
  }

  /** This exchange with its TLSA records. */
  public MxHost withTlsa(io.mxwatch.tls.TlsaSet tlsa) {
    return new MxHost(preference, exchange, ttl, cname, aOutcome, aaaaOutcome, addresses, tlsa);
  }

  /** An address of an exchange with the TTL it was published with. */
  public record HostAddress(String address, long ttl) {
    public boolean ipv6() {
      return address.indexOf(':') >= 0;
    }
  }

  /** The "." of a null MX. */
  public boolean isNull() {
    return exchange.equals(".");
  }

  /** An exchange written as an IP address, which MX records must not contain. */
  public boolean isIpLiteral() {
    return isIpLiteral(exchange);
  }

  /** Whether the exchange is a name whose addresses are looked up. */
  public boolean resolvable() {
    return resolvable(exchange);
  }

  static boolean isIpLiteral(String exchange) {
    if (exchange.indexOf(':') >= 0 || exchange.startsWith("[")) {
      return true;
    }
    return !exchange.isEmpty() && Character.isDigit(exchange.charAt(exchange.length() - 1)) && IPV4.matcher(exchange).matches();
  }

  /** Whether an exchange name is looked up: not the "." of a null MX, not an IP literal. */
  public static boolean resolvable(String exchange) {
    return !exchange.equals(".") && !isIpLiteral(exchange);
  }

  /** Both address lookups answered that there is no address. */
  public boolean hasNoAddress() {
    return aOutcome != null
        && aaaaOutcome != null
        && aOutcome.isAbsent()
        && aaaaOutcome.isAbsent();
  }
}
