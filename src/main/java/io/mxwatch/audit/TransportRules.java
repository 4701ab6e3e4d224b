package io.mxwatch.audit;

import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.snapshot.Transport;
import io.mxwatch.tls.HostNames;
import io.mxwatch.tls.MtaStsPolicy;
import io.mxwatch.tls.MtaStsResult;
import io.mxwatch.tls.PolicyFetch;
import io.mxwatch.tls.TlsResult;
import io.mxwatch.tls.TlsRptResult;
import java.util.List;

/**
 * Findings on the domain's transport policies: the MTA-STS record and policy (RFC 8461), whether
 * its mx patterns cover every exchange and, where it is enforced, whether every exchange completes
 * TLS as a compliant sender requires; and the TLS-RPT record (RFC 8460).
 */
final class TransportRules {
  private TransportRules() {}

  static void check(Snapshot s, List<Finding> out) {
    Transport t = s.transport();
    if (t == null) {
      return;
    }
    String mtaStsName = "_mta-sts." + s.domain();
    MtaStsResult m = t.mtaSts();
    boolean mtaStsDeployed = false;
    if (m != null && !m.outcome().isFailure() && m.record() != null) {
      mtaStsDeployed = true;
      if (!m.record().valid()) {
        out.add(Finding.of(FindingCode.MTA_STS_TXT_INVALID, mtaStsName, mtaStsName + ": " + String.join("; ", m.record().errors())));
      } else if (m.fetch() instanceof PolicyFetch.Failed f) {
        out.add(Finding.of(FindingCode.MTA_STS_POLICY_UNAVAILABLE, f.url(), f.url() + ": " + f.stage() + ": " + f.detail()));
      } else if (m.fetch() instanceof PolicyFetch.Fetched f) {
        policy(s, f, out);
      }
    }
    TlsRptResult r = t.tlsRpt();
    String tlsRptName = "_smtp._tls." + s.domain();
    if (r != null && !r.outcome().isFailure()) {
      if (r.record() != null && !r.record().valid()) {
        out.add(Finding.of(FindingCode.TLSRPT_INVALID, tlsRptName, tlsRptName + ": " + String.join("; ", r.record().errors())));
      } else if (r.record() == null && (mtaStsDeployed || daneDeployed(s))) {
        out.add(Finding.of(FindingCode.TLSRPT_MISSING, tlsRptName,
            (mtaStsDeployed ? "MTA-STS" : "DANE") + " is deployed but " + tlsRptName + " has no v=TLSRPTv1 record: failures to deliver over TLS go unreported"));
      }
    }
  }

  /** Whether an exchange has secure, usable TLSA records. */
  private static boolean daneDeployed(Snapshot s) {
    return s.mx().hosts().stream().anyMatch(h -> h.tlsa() != null && h.tlsa().inEffect());
  }

  private static void policy(Snapshot s, PolicyFetch.Fetched f, List<Finding> out) {
    MtaStsPolicy p = f.policy();
    if (!p.valid()) {
      out.add(Finding.of(FindingCode.MTA_STS_POLICY_INVALID, f.url(), f.url() + ": " + String.join("; ", p.errors())));
      return;
    }
    if (!p.warnings().isEmpty()) {
      out.add(Finding.of(FindingCode.MTA_STS_POLICY_WARNING, f.url(), f.url() + ": " + String.join("; ", p.warnings())));
    }
    if (p.mode().equals("none") || s.mx() == null) {
      return;
    }
    boolean enforce = p.mode().equals("enforce");
    Severity severity = enforce ? Severity.CRITICAL : Severity.WARNING;
    String consequence = enforce ? "compliant senders refuse to deliver to it" : "compliant senders report it (mode testing)";
    for (MxHost host : s.mx().deliverable()) {
      if (!p.covers(host.exchange())) {
        out.add(new Finding(FindingCode.MTA_STS_MX_NOT_COVERED, severity, host.exchange(),
            host.exchange() + " matches no mx pattern of the MTA-STS policy (" + String.join(", ", p.mx()) + "): " + consequence));
      }
    }
    if (!s.smtpProbed()) {
      return;
    }
    for (SmtpProbe probe : s.smtp()) {
      if (!(probe instanceof SmtpProbe.Ok ok)) {
        continue; // unreachable: said by the SMTP findings
      }
      String subject = SmtpRules.subject(s, probe);
      String problem = tlsProblem(ok, s.exchangesOf(probe.address()));
      if (problem != null) {
        out.add(new Finding(FindingCode.MTA_STS_MX_TLS_INVALID, severity, subject, subject + ": " + problem + ": " + consequence));
      }
    }
  }

  /** Why a compliant sender would not accept this exchange's TLS, or null when it would. */
  private static String tlsProblem(SmtpProbe.Ok ok, List<String> names) {
    if (!ok.startTls()) {
      return "no STARTTLS";
    }
    TlsResult sender = ok.senderHandshake();
    if (sender == null) {
      return null; // handshakes are off: nothing known
    }
    return switch (sender) {
      case TlsResult.Failed f -> "the TLS handshake fails (" + f.detail() + ")";
      case TlsResult.Established e -> {
        if (e.leaf() == null) {
          yield "no certificate";
        }
        if (!e.trusted()) {
          yield "the certificate does not chain to a trusted root (" + e.trustProblem() + ")";
        }
        List<String> uncovered = names.stream().filter(n -> !HostNames.matches(e.leaf(), n)).toList();
        yield uncovered.isEmpty() ? null : "the certificate is not for " + String.join(", ", uncovered);
      }
    };
  }
}
