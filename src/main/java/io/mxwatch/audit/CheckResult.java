package io.mxwatch.audit;

import io.mxwatch.snapshot.Snapshot;

/** One checked domain: what was seen and what the audit made of it. */
public record CheckResult(Snapshot snapshot, Audit audit) {
  public Status status() {
    return audit.status();
  }

  /** This check with findings made critical (see {@link Audit#escalated}). */
  public CheckResult escalated(java.util.Set<FindingCode> codes, String why) {
    Audit more = audit.escalated(codes, why);
    return more == audit ? this : new CheckResult(snapshot, more);
  }

  /** This check with more said of one finding (see {@link Audit#noted}). */
  public CheckResult noted(FindingCode code, String more) {
    Audit more2 = audit.noted(code, more);
    return more2 == audit ? this : new CheckResult(snapshot, more2);
  }

  /** This check with one more finding (see {@link Audit#with}). */
  public CheckResult with(Finding finding) {
    Audit more = audit.with(finding);
    return more == audit ? this : new CheckResult(snapshot, more);
  }
}
