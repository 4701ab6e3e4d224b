package io.mxwatch.audit;

import io.mxwatch.dns.DnsStatus;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Findings on the MX records and the addresses of the exchanges. */
final class MxRules {
  private MxRules() {}

  static void check(Snapshot s, List<Finding> out) {
    MxResult mx = s.mx();
    switch (mx.mode()) {
      case UNKNOWN -> {
        // a failed lookup: DNS_LOOKUP_FAILED says so; nothing is known to be wrong
      }
      case NONE ->
          out.add(
              Finding.of(
                  FindingCode.MX_NONE,
                  s.domain(),
                  mx.outcome() == DnsStatus.NXDOMAIN
                      ? "the domain does not exist (NXDOMAIN): mail to it cannot be delivered"
                      : "no MX records and no address for an implicit MX: mail to the domain cannot be delivered"));
      case IMPLICIT ->
          out.add(
              new Finding(
                  FindingCode.MX_NONE,
                  Severity.WARNING,
                  s.domain(),
                  "no MX records: mail goes to the domain's own address (implicit MX, RFC 5321 §5.1)"));
      case NULL_MX ->
          out.add(Finding.of(FindingCode.MX_NULL, s.domain(), "null MX (RFC 7505): the domain accepts no mail"));
      case MX -> explicit(s, out);
    }
  }

  private static void explicit(Snapshot s, List<Finding> out) {
    List<MxHost> hosts = s.mx().hosts();
    if (hosts.stream().anyMatch(MxHost::isNull)) {
      out.add(
          Finding.of(
              FindingCode.MX_NULL_WITH_OTHERS,
              s.domain(),
              "a null MX (0 .) stands beside " + (hosts.size() - 1) + " other MX record(s)"));
    }
    Set<String> seen = new HashSet<>();
    Set<String> duplicates = new HashSet<>();
    for (MxHost host : hosts) {
      if (host.isNull()) {
        continue;
      }
      String x = host.exchange();
      if (!seen.add(x) && duplicates.add(x)) {
        out.add(Finding.of(FindingCode.MX_DUPLICATE_TARGET, x, x + " appears in more than one MX record"));
      }
      if (host.isIpLiteral()) {
        out.add(Finding.of(FindingCode.MX_TARGET_IP_LITERAL, x, "MX " + host.preference() + " names the IP address " + x + " instead of a host name"));
        continue;
      }
      if (duplicates.contains(x)) {
        continue; // the rest was said for its first record
      }
      if (host.cname() != null) {
        out.add(Finding.of(FindingCode.MX_TARGET_CNAME, x, x + " is an alias (CNAME) for " + host.cname()));
      }
      String doubled = doubledSuffix(x);
      if (doubled != null) {
        out.add(
            Finding.of(
                FindingCode.MX_TARGET_DOUBLED_ORIGIN,
                x,
                x + " repeats " + doubled + ": a trailing dot is probably missing in the zone file (meant "
                    + x.substring(0, x.length() - doubled.length() - 1) + ")"));
      }
    }
    List<MxHost> deliverable = s.mx().deliverable();
    boolean noneHasAddress = !deliverable.isEmpty() && deliverable.stream().allMatch(MxHost::hasNoAddress);
    Set<String> reported = new HashSet<>();
    for (MxHost host : deliverable) {
      if (host.hasNoAddress() && reported.add(host.exchange())) {
        out.add(
            new Finding(
                FindingCode.MX_TARGET_NO_ADDRESS,
                noneHasAddress ? Severity.CRITICAL : Severity.WARNING,
                host.exchange(),
                host.exchange() + " has no A or AAAA record" + (noneHasAddress ? "; no exchange has an address, mail cannot be delivered" : "")));
      }
    }
    long distinct = hosts.stream().filter(h -> !h.isNull()).map(MxHost::exchange).distinct().count();
    if (distinct == 1) {
      out.add(Finding.of(FindingCode.MX_SINGLE_HOST, s.domain(), "one exchange only: no backup if it is down"));
    }
  }

  /**
   * The run of two or more labels that a name repeats at its end ({@code example.com} in {@code
   * mail.example.com.example.com}), or null.
   */
  static String doubledSuffix(String name) {
    String[] labels = name.split("\\.");
    for (int k = labels.length / 2; k >= 2; k--) {
      boolean repeated = true;
      for (int i = 0; i < k && repeated; i++) {
        repeated = labels[labels.length - 1 - i].equals(labels[labels.length - 1 - k - i]);
      }
      if (repeated) {
        return String.join(".", java.util.Arrays.copyOfRange(labels, labels.length - k, labels.length));
      }
    }
    return null;
  }
}
