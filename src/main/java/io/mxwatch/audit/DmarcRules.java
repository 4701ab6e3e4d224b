package io.mxwatch.audit;

import io.mxwatch.policy.DmarcRecord;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.snapshot.Snapshot;
import java.util.List;

/** Findings on the DMARC record. */
final class DmarcRules {
  private DmarcRules() {}

  static void check(Snapshot s, List<Finding> out) {
    DmarcResult dmarc = s.dmarc();
    String name = dmarc.name();
    if (dmarc.outcome().isFailure()) {
      return;
    }
    if (dmarc.records().isEmpty()) {
      out.add(Finding.of(FindingCode.DMARC_NONE, name, "no DMARC record at " + name));
      return;
    }
    if (dmarc.records().size() > 1) {
      out.add(Finding.of(FindingCode.DMARC_MULTIPLE, name, dmarc.records().size() + " DMARC records at " + name + ": receivers apply none"));
      return;
    }
    DmarcRecord record = dmarc.record();
    if (!record.valid()) {
      out.add(Finding.of(FindingCode.DMARC_SYNTAX, name, "DMARC record at " + name + ": " + String.join("; ", record.errors())));
      return;
    }
    if (!record.warnings().isEmpty()) {
      out.add(Finding.of(FindingCode.DMARC_WARNING, name, String.join("; ", record.warnings())));
    }
    if (record.effectivePolicy().equals("none")) {
      out.add(
          Finding.of(
              FindingCode.DMARC_POLICY_NONE,
              name,
              record.policy() == null ? "no p tag: the policy is none" : "p=none: failing mail is delivered as usual"));
    }
    if (record.pct() != null && record.pct() < 100) {
      out.add(Finding.of(FindingCode.DMARC_PARTIAL_PCT, name, "pct=" + record.pct() + ": RFC 7489 receivers apply p=" + record.effectivePolicy() + " to " + record.pct() + "% of failing mail"));
    }
    if (record.testing()) {
      out.add(Finding.of(FindingCode.DMARC_TESTING, name, "t=y: receivers apply one step less than p=" + record.effectivePolicy()));
    }
    for (DmarcResult.ReportAuthorization auth : dmarc.reportAuthorizations()) {
      if (!auth.authorized() && !auth.outcome().isFailure()) {
        out.add(
            Finding.of(
                FindingCode.DMARC_REPORT_UNAUTHORIZED,
                auth.destination(),
                auth.uri() + ": " + auth.destination() + " has no authorization record at " + auth.queryName()));
      }
    }
  }
}
