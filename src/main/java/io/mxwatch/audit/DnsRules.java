package io.mxwatch.audit;

import io.mxwatch.dns.DnsLookup;
import io.mxwatch.snapshot.Snapshot;
import java.util.List;

/**
 * One DNS_LOOKUP_FAILED per lookup that got no usable answer, except TLSA lookups: senders look
 * those up only in signed zones, and DANE's findings report them there (DANE_TLSA_LOOKUP_FAILED).
 */
final class DnsRules {
  private DnsRules() {}

  static void check(Snapshot s, List<Finding> out) {
    for (DnsLookup lookup : s.lookups()) {
      if (lookup.outcome().isFailure() && !lookup.type().equals("TLSA")) {
        out.add(
            Finding.of(
                FindingCode.DNS_LOOKUP_FAILED,
                lookup.type() + " " + lookup.name(),
                lookup.type() + " lookup of " + lookup.name() + " failed: " + lookup.outcome().label() + " (" + lookup.detail() + ")"));
      }
    }
  }
}
