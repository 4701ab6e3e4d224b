package io.mxwatch.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A list of IP address ranges (CIDR), each with a name for messages: which ranges mxwatch does not
 * probe. {@link #SPECIAL_PURPOSE} holds the ranges no exchange on the internet can be at
 * (loopback, private, link-local, unique-local, shared, multicast, reserved): an MX that resolves
 * there is broken for the world's senders, and probing it would let whoever controls a watched
 * domain read internal banners through mxwatch.
 */
public final class AddressRanges {
  /** One range: {@code network/prefix}, named. */
  public record Range(byte[] network, int prefix, String cidr, String name) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = prefix / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }

    @Override
    public String toString() {
      return name.isEmpty() ? cidr : cidr + " (" + name + ")";
    }
  }

  /** No range: every address may be probed. */
  public static final AddressRanges NONE = new AddressRanges(List.of());

  /** The special-purpose ranges of RFC 6890 and its successors that are not reachable on the internet. */
  public static final AddressRanges SPECIAL_PURPOSE =
      new AddressRanges(
          List.of(
              range("0.0.0.0/8", "this network"),
              range("10.0.0.0/8", "private"),
              range("100.64.0.0/10", "shared address space"),
              range("127.0.0.0/8", "loopback"),
              range("169.254.0.0/16", "link-local"),
              range("172.16.0.0/12", "private"),
              range("192.0.0.0/24", "IETF protocol assignments"),
              range("192.168.0.0/16", "private"),
              range("198.18.0.0/15", "benchmarking"),
              range("224.0.0.0/4", "multicast"),
              range("240.0.0.0/4", "reserved"),
              range("::/128", "unspecified"),
              range("::1/128", "loopback"),
              range("64:ff9b:1::/48", "local-use translation"),
              range("100::/64", "discard-only"),
              range("fc00::/7", "unique-local"),
              range("fe80::/10", "link-local"),
              range("ff00::/8", "multicast")));

  private final List<Range> ranges;

  private AddressRanges(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /** The ranges in {@code cidrs}, e.g. {@code 10.0.0.0/8}, {@code fd00::/8}. */
  public static AddressRanges of(List<String> cidrs) {
    List<Range> out = new ArrayList<>();
    for (String cidr : cidrs) {
      out.add(range(cidr, ""));
    }
    return new AddressRanges(out);
  }

  /**
   * Parses one CIDR range.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static Range range(String cidr, String name) {
    String text = cidr.strip();
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      throw new IllegalArgumentException("'" + cidr + "' is not an address range like 10.0.0.0/8 or fd00::/8");
    }
    byte[] network;
    try {
      network = InetAddress.getByName(host).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + cidr + "' is not an address range like 10.0.0.0/8 or fd00::/8");
    }
    int bits = network.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "': the prefix length after / must be a number");
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("'" + cidr + "': the prefix length must be 0-" + bits);
    }
    return new Range(network, prefix, text, name);
  }

  /** The first range that holds {@code address}, if any. */
  public Optional<Range> match(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Range r : ranges) {
      if (r.contains(bytes)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public List<Range> ranges() {
    return ranges;
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  @Override
  public String toString() {
    return ranges.stream().map(Range::cidr).toList().toString();
  }
}
