package io.mxwatch.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The findings on one snapshot, worst first, and the status they add up to. */
public record Audit(Status status, List<Finding> findings) {
  /** Worst first, then by code and subject: the order of every report. */
  static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::severity, Comparator.reverseOrder()).thenComparing(Finding::code).thenComparing(Finding::subject);

  public Audit {
    findings = List.copyOf(findings);
  }

  /**
   * This audit with one more finding, in its place and counted in the status; as it is when a
   * finding of the same code and subject is already there.
   */
  public Audit with(Finding finding) {
    return withFinding(finding);
  }

  /**
   * This audit with the findings of {@code codes} made critical, {@code why} added to their
   * messages, and the status counted again; as it is when it has none of them.
   */
  public Audit escalated(java.util.Set<FindingCode> codes, String why) {
    if (findings.stream().noneMatch(f -> codes.contains(f.code()) && f.severity() != Severity.CRITICAL)) {
      return this;
    }
    List<Finding> now = new ArrayList<>();
    for (Finding f : findings) {
      now.add(codes.contains(f.code()) && f.severity() != Severity.CRITICAL ? new Finding(f.code(), Severity.CRITICAL, f.subject(), f.message() + " " + why) : f);
    }
    now.sort(ORDER);
    return new Audit(Auditor.status(now), now);
  }

  /** This audit with {@code more} added to the message of its finding of {@code code}; as it is without one. */
  public Audit noted(FindingCode code, String more) {
    if (findings.stream().noneMatch(f -> f.code() == code)) {
      return this;
    }
    List<Finding> now = new ArrayList<>();
    for (Finding f : findings) {
      now.add(f.code() == code ? new Finding(f.code(), f.severity(), f.subject(), f.message() + " " + more) : f);
    }
    return new Audit(status, now);
  }

  private Audit withFinding(Finding finding) {
    if (findings.stream().anyMatch(f -> f.code() == finding.code() && f.subject().equals(finding.subject()))) {
      return this;
    }
    List<Finding> more = new ArrayList<>(findings);
    more.add(finding);
    more.sort(ORDER);
    return new Audit(Auditor.status(more), more);
  }
}
