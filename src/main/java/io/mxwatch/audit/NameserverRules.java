package io.mxwatch.audit;

import io.mxwatch.snapshot.Authority;
import io.mxwatch.snapshot.Snapshot;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Findings on what the zone's nameservers say, each asked directly: whether they agree on the MX
 * set, SPF and DMARC records and the SOA serial, whether each answers authoritatively, and how the
 * delegation is built (parent and zone agree, more than one server, more than one network).
 */
final class NameserverRules {
  private NameserverRules() {}

  static void check(Snapshot s, List<Finding> out) {
    Authority a = s.authority();
    if (a == null || a.zone() == null) {
      return; // not asked, or the zone was not found (the resolver's lookups say why)
    }
    String zone = a.zone();
    for (Authority.Server v : a.servers()) {
      switch (v.outcome()) {
        case "answered" -> {}
        case "not_authoritative" -> out.add(Finding.of(FindingCode.NS_NOT_AUTHORITATIVE, v.label(), v.label() + ": " + v.detail()));
        case "no_address" -> out.add(Finding.of(FindingCode.NS_NO_ADDRESS, v.nameserver(), v.nameserver() + ": " + v.detail()));
        case "denied" -> out.add(Finding.of(FindingCode.NS_ADDRESS_NOT_PUBLIC, v.label(), v.label() + ": " + v.detail()));
        default -> out.add(Finding.of(FindingCode.NS_NOT_ANSWERING, v.label(), v.label() + ": " + v.outcome() + " (" + v.detail() + ")"));
      }
    }
    List<Authority.Server> answering = a.answering();
    boolean asked = a.servers().stream().anyMatch(v -> !v.outcome().equals("no_address") && !v.outcome().equals("denied"));
    if (answering.isEmpty() && asked) {
      out.add(Finding.of(FindingCode.NS_NONE_ANSWERING, zone, "none of the " + a.nameservers().size() + " nameservers of " + zone + " answers authoritatively"));
    }
    disagreement(FindingCode.NS_INCONSISTENT_MX, "MX " + s.domain(), answering, v -> set(v.mx()), out);
    disagreement(FindingCode.NS_INCONSISTENT_SPF, "SPF " + s.domain(), answering, v -> set(v.spf()), out);
    disagreement(FindingCode.NS_INCONSISTENT_DMARC, "DMARC _dmarc." + s.domain(), answering, v -> set(v.dmarc()), out);
    serials(zone, answering, out);
    if (a.parentNameservers() != null && !a.parentNameservers().equals(a.nameservers())) {
      List<String> onlyParent = new ArrayList<>(a.parentNameservers());
      onlyParent.removeAll(a.nameservers());
      List<String> onlyZone = new ArrayList<>(a.nameservers());
      onlyZone.removeAll(a.parentNameservers());
      out.add(Finding.of(FindingCode.NS_PARENT_MISMATCH, zone,
          zone + ": the parent delegates to " + String.join(", ", a.parentNameservers()) + ", the zone names " + String.join(", ", a.nameservers())
              + (onlyParent.isEmpty() ? "" : "; only at the parent: " + String.join(", ", onlyParent))
              + (onlyZone.isEmpty() ? "" : "; only in the zone: " + String.join(", ", onlyZone))));
    }
    if (a.nameservers().size() == 1) {
      out.add(Finding.of(FindingCode.NS_SINGLE, zone, zone + " has one nameserver, " + a.nameservers().getFirst() + ": no other takes over when it is down"));
    }
    sameNetwork(zone, a.servers(), out);
  }

  private static String set(List<String> records) {
    return records.isEmpty() ? "none" : String.join(", ", records);
  }

  /** One finding when the answering servers do not all give the same value: which servers say what. */
  private static void disagreement(FindingCode code, String subject, List<Authority.Server> servers, Function<Authority.Server, String> value, List<Finding> out) {
    Map<String, List<String>> byValue = new LinkedHashMap<>();
    for (Authority.Server v : servers) {
      byValue.computeIfAbsent(value.apply(v), k -> new ArrayList<>()).add(v.label());
    }
    if (byValue.size() < 2) {
      return;
    }
    List<String> parts = new ArrayList<>();
    byValue.forEach((v, who) -> parts.add(String.join(", ", who) + (who.size() == 1 ? " says " : " say ") + v));
    out.add(Finding.of(code, subject, "the nameservers disagree: " + String.join("; ", parts)));
  }

  private static void serials(String zone, List<Authority.Server> servers, List<Finding> out) {
    long newest = servers.stream().map(Authority.Server::serial).filter(Objects::nonNull).mapToLong(Long::longValue).max().orElse(-1);
    List<String> behind = new ArrayList<>();
    for (Authority.Server v : servers) {
      if (v.serial() != null && v.serial() != newest) {
        // serial arithmetic (RFC 1982) aside: a difference is what matters here
        behind.add(v.label() + " at " + v.serial() + " (" + (newest - v.serial()) + " behind)");
      }
    }
    if (!behind.isEmpty()) {
      out.add(Finding.of(FindingCode.NS_SERIAL_DIFFERS, zone, zone + ": serial " + newest + " at the newest; " + String.join(", ", behind)));
    }
  }

  /** Every address in one IPv4 /24 and one IPv6 /48, with more than one address. */
  private static void sameNetwork(String zone, List<Authority.Server> servers, List<Finding> out) {
    List<byte[]> v4 = new ArrayList<>();
    List<byte[]> v6 = new ArrayList<>();
    for (Authority.Server v : servers) {
      if (v.address() == null) {
        continue;
      }
      try {
        byte[] b = InetAddress.getByName(v.address()).getAddress(); // a literal: no lookup
        (b.length == 4 ? v4 : v6).add(b);
      } catch (UnknownHostException e) {
        // not a literal: not counted
      }
    }
    if (v4.size() + v6.size() < 2) {
      return;
    }
    if (samePrefix(v4, 3) && samePrefix(v6, 6)) {
      out.add(Finding.of(FindingCode.NS_SAME_NETWORK, zone,
          zone + ": every nameserver address is in one network (" + (v4.isEmpty() ? "" : "IPv4 /24") + (v4.isEmpty() || v6.isEmpty() ? "" : ", ") + (v6.isEmpty() ? "" : "IPv6 /48") + ")"));
    }
  }

  private static boolean samePrefix(List<byte[]> addresses, int bytes) {
    for (byte[] b : addresses) {
      if (!java.util.Arrays.equals(b, 0, bytes, addresses.getFirst(), 0, bytes)) {
        return false;
      }
    }
    return true;
  }
}
