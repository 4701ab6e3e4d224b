package io.mxwatch.audit;

import io.mxwatch.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Static findings on one snapshot: what is wrong with the domain's mail routing as it stands, with
 * no history. Pure: the same snapshot always gives the same audit.
 */
public final class Auditor {

  public Audit audit(Snapshot snapshot) {
    List<Finding> findings = new ArrayList<>();
    MxRules.check(snapshot, findings);
    SmtpRules.check(snapshot, findings);
    TlsRules.check(snapshot, findings);
    TransportRules.check(snapshot, findings);
    DaneRules.check(snapshot, findings);
    SpfRules.check(snapshot, findings);
    DmarcRules.check(snapshot, findings);
    DkimRules.check(snapshot, findings);
    NameserverRules.check(snapshot, findings);
    DnsRules.check(snapshot, findings);
    findings.sort(Audit.ORDER);
    return new Audit(status(findings), findings);
  }

  /**
   * CRITICAL when a critical problem is known; else UNKNOWN when a lookup failed (a problem may be
   * hidden); else WARNING when anything warns; else OK.
   */
  static Status status(List<Finding> findings) {
    Status status = Status.OK;
    for (Finding finding : findings) {
      status =
          status.worst(
              switch (finding.severity()) {
                case CRITICAL -> Status.CRITICAL;
                case WARNING -> finding.code() == FindingCode.DNS_LOOKUP_FAILED ? Status.UNKNOWN : Status.WARNING;
                case INFO -> Status.OK;
              });
    }
    return status;
  }
}
