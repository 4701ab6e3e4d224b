package io.mxwatch.audit;

import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.tls.CertificateFacts;
import io.mxwatch.tls.HostNames;
import io.mxwatch.tls.TlsResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Findings on the STARTTLS handshakes of the exchanges: a handshake that fails, a protocol older
 * than TLS 1.2, and for every certificate served (the one a sender gets, and one of the other key
 * type when the exchange has both) expiry, names and trust. Times are the check's own: the same
 * snapshot always gives the same findings.
 */
final class TlsRules {
  /** A certificate expiring sooner is a warning. */
  static final Duration EXPIRING = Duration.ofDays(14);
  /** ... and sooner still, critical. */
  static final Duration EXPIRING_SOON = Duration.ofDays(3);

  private TlsRules() {}

  static void check(Snapshot s, List<Finding> out) {
    if (!s.smtpProbed()) {
      return;
    }
    for (SmtpProbe probe : s.smtp()) {
      if (!(probe instanceof SmtpProbe.Ok ok) || ok.tls().isEmpty()) {
        continue;
      }
      String subject = SmtpRules.subject(s, probe);
      List<String> names = s.exchangesOf(probe.address());
      String senderSpki = null;
      for (TlsResult handshake : ok.tls()) {
        boolean sender = handshake.requested().equals("any");
        switch (handshake) {
          case TlsResult.Failed f -> {
            if (!sender) {
              continue; // no certificate of the other key type: one type is enough
            }
            if (f.oldProtocol() != null) {
              out.add(Finding.of(FindingCode.TLS_OLD_PROTOCOL, subject,
                  subject + " insists on " + f.oldProtocol() + ", which RFC 8996 retires: senders with current TLS settings cannot agree on a protocol"));
            } else {
              out.add(Finding.of(FindingCode.TLS_HANDSHAKE_FAILED, subject,
                  subject + " offers STARTTLS but " + (f.stage().equals("starttls") ? f.detail() : "the TLS handshake failed: " + f.detail())));
            }
          }
          case TlsResult.Established e -> {
            CertificateFacts leaf = e.leaf();
            if (leaf == null) {
              continue;
            }
            if (sender) {
              senderSpki = leaf.spkiSha256();
              if (e.protocol().equals("TLSv1") || e.protocol().equals("TLSv1.1")) {
                out.add(Finding.of(FindingCode.TLS_OLD_PROTOCOL, subject, subject + " negotiated " + e.protocol() + ", which RFC 8996 retires"));
              }
            } else if (leaf.spkiSha256().equals(senderSpki)) {
              continue; // the same certificate again: said once
            }
            String where = sender ? subject : subject + " " + handshake.requested();
            String which = sender ? "the certificate" : "the " + leaf.keyType() + " certificate";
            certificate(s.checkedAt(), where, which, leaf, names, e, out);
          }
        }
      }
    }
  }

  private static void certificate(
      Instant now, String where, String which, CertificateFacts leaf, List<String> names, TlsResult.Established e, List<Finding> out) {
    Duration left = Duration.between(now, leaf.notAfter());
    if (left.isNegative() || left.isZero()) {
      out.add(Finding.of(FindingCode.TLS_CERT_EXPIRED, where,
          where + ": " + which + " expired on " + leaf.notAfter() + " (" + leaf.subject() + ")"));
    } else if (left.compareTo(EXPIRING) < 0) {
      out.add(new Finding(FindingCode.TLS_CERT_EXPIRING, left.compareTo(EXPIRING_SOON) < 0 ? Severity.CRITICAL : Severity.WARNING, where,
          where + ": " + which + " expires on " + leaf.notAfter() + ", in " + days(left) + " (" + leaf.subject() + ")"));
    }
    if (now.isBefore(leaf.notBefore())) {
      out.add(Finding.of(FindingCode.TLS_CERT_EXPIRED, where, where + ": " + which + " is valid only from " + leaf.notBefore()));
    }
    List<String> uncovered = names.stream().filter(n -> !HostNames.matches(leaf, n)).toList();
    if (!uncovered.isEmpty()) {
      List<String> shown = leaf.dnsNames().isEmpty() ? (leaf.commonName() == null ? List.of() : List.of(leaf.commonName())) : leaf.dnsNames();
      out.add(Finding.of(FindingCode.TLS_CERT_NAME_MISMATCH, where,
          where + ": " + which + " is not for " + String.join(", ", uncovered) + " (it names "
              + (shown.isEmpty() ? "no host" : String.join(", ", shown.size() > 5 ? shown.subList(0, 5) : shown) + (shown.size() > 5 ? " …" : "")) + ")"));
    }
    if (!e.trusted()) {
      out.add(Finding.of(FindingCode.TLS_CERT_UNTRUSTED, where,
          where + ": " + which + " does not chain to a trusted root (" + e.trustProblem() + "); senders that check (MTA-STS, DANE-TA) refuse it"));
    }
  }

  private static String days(Duration d) {
    long hours = d.toHours();
    return hours < 48 ? hours + " hours" : d.toDays() + " days";
  }
}
