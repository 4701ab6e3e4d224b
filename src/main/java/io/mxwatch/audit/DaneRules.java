package io.mxwatch.audit;

import io.mxwatch.dns.DnsLookup;
import io.mxwatch.dns.DnssecStatus;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.tls.Dane;
import io.mxwatch.tls.TlsResult;
import io.mxwatch.tls.TlsaSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Findings on DNSSEC and DANE: a validated answer that is bogus or whose signatures are about to
 * expire, TLSA records that senders ignore (insecure) or cannot get (lookup failure in a signed
 * zone), and, where DANE is in effect, every served chain matched against the exchange's TLSA
 * records as a DANE sender matches it (RFC 7672).
 */
public final class DaneRules {
  /** Signatures expiring sooner are a warning. */
  static final Duration SIGNATURES_EXPIRING = Duration.ofDays(3);

  private DaneRules() {}

  static void check(Snapshot s, List<Finding> out) {
    for (DnsLookup lookup : s.lookups()) {
      if (lookup.dnssec() == null) {
        continue;
      }
      String subject = lookup.type() + " " + lookup.name();
      if (lookup.dnssec().bogus()) {
        out.add(Finding.of(FindingCode.DNSSEC_BOGUS, subject,
            subject + " is DNSSEC-bogus (" + lookup.dnssec().reason() + "): validating resolvers answer SERVFAIL"));
      } else if (lookup.dnssec().secure() && lookup.dnssec().signaturesExpire() != null
          && Duration.between(s.checkedAt(), lookup.dnssec().signaturesExpire()).compareTo(SIGNATURES_EXPIRING) < 0) {
        out.add(Finding.of(FindingCode.DNSSEC_SIGNATURE_EXPIRING, subject,
            subject + ": its signatures expire at " + lookup.dnssec().signaturesExpire() + "; unless the zone is re-signed, it turns bogus then"));
      }
    }
    for (MxHost host : s.mx().hosts()) {
      TlsaSet tlsa = host.tlsa();
      if (tlsa == null) {
        continue;
      }
      String name = "_25._tcp." + host.exchange();
      if (tlsa.outcome().isFailure()) {
        if (addressesSecure(s, host)) {
          out.add(Finding.of(FindingCode.DANE_TLSA_LOOKUP_FAILED, name,
              "TLSA lookup of " + name + " failed (" + tlsa.outcome().label() + ") while " + host.exchange() + " is in a signed zone: DANE senders defer mail to it"));
        }
        continue;
      }
      if (!tlsa.published() || tlsa.dnssec() == null) {
        continue;
      }
      if (tlsa.dnssec().status() == DnssecStatus.INSECURE) {
        out.add(Finding.of(FindingCode.DANE_TLSA_INSECURE, name,
            name + " has " + tlsa.records().size() + " TLSA record(s) but they are not DNSSEC-signed (insecure): senders ignore them"));
        continue;
      }
      if (!tlsa.inEffect()) {
        continue;
      }
      if (tlsa.records().size() == 1) {
        out.add(Finding.of(FindingCode.DANE_SINGLE_TLSA, name,
            name + " has a single TLSA record (" + tlsa.records().getFirst().describe() + "): a new key or certificate breaks DANE until its record is published"));
      }
      if (s.smtpProbed()) {
        chains(s, host, tlsa, out);
      }
    }
  }

  /**
   * For metrics: 1 when DANE is in effect for the exchange and every address it was probed at
   * offers STARTTLS and serves chains its TLSA records match, 0 when one does not; NaN when DANE
   * is not in effect (no secure, usable TLSA records) or nothing was probed.
   */
  public static double matches(Snapshot s, MxHost host) {
    if (host.tlsa() == null || !host.tlsa().inEffect() || !s.smtpProbed()) {
      return Double.NaN;
    }
    Set<String> addresses = new HashSet<>();
    host.addresses().forEach(a -> addresses.add(a.address()));
    if (s.smtp().stream().noneMatch(p -> p instanceof SmtpProbe.Ok && addresses.contains(p.address()))) {
      return Double.NaN;
    }
    List<Finding> problems = new java.util.ArrayList<>();
    chains(s, host, host.tlsa(), problems);
    return problems.isEmpty() ? 1 : 0;
  }

  /** Every chain served at the exchange's addresses, matched against its TLSA records. */
  private static void chains(Snapshot s, MxHost host, TlsaSet tlsa, List<Finding> out) {
    Set<String> addresses = new HashSet<>();
    host.addresses().forEach(a -> addresses.add(a.address()));
    for (SmtpProbe probe : s.smtp()) {
      if (!(probe instanceof SmtpProbe.Ok ok) || !addresses.contains(probe.address())) {
        continue;
      }
      String subject = SmtpRules.subject(s, probe);
      if (!ok.startTls()) {
        out.add(Finding.of(FindingCode.DANE_NO_STARTTLS, subject,
            subject + " does not offer STARTTLS although " + host.exchange() + " has secure TLSA records: DANE senders do not deliver to it"));
        continue;
      }
      Set<String> leaves = new HashSet<>();
      for (TlsResult handshake : ok.tls()) {
        boolean sender = handshake.requested().equals("any");
        switch (handshake) {
          case TlsResult.Failed f -> {
            if (sender) {
              out.add(Finding.of(FindingCode.DANE_NO_STARTTLS, subject,
                  subject + ": the TLS handshake fails (" + f.detail() + ") although " + host.exchange() + " has secure TLSA records: DANE senders do not deliver to it"));
            }
          }
          case TlsResult.Established e -> {
            if (e.leaf() == null || !leaves.add(e.leaf().certSha256())) {
              continue;
            }
            Dane.Match match = Dane.match(tlsa.records(), e.chain(), host.exchange(), s.checkedAt());
            if (!match.ok()) {
              String where = sender ? subject : subject + " " + handshake.requested();
              out.add(Finding.of(FindingCode.DANE_NO_MATCH, where, where + ": " + match.problem() + ": DANE senders refuse to deliver to it"));
            }
          }
        }
      }
    }
  }

  /** Whether an address lookup of the exchange validated as secure (senders then look up TLSA). */
  private static boolean addressesSecure(Snapshot s, MxHost host) {
    for (DnsLookup lookup : s.lookups()) {
      if (lookup.name().equals(host.exchange()) && (lookup.type().equals("A") || lookup.type().equals("AAAA"))
          && lookup.dnssec() != null && lookup.dnssec().secure()) {
        return true;
      }
    }
    return false;
  }
}
