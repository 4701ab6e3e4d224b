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
    if (findings.stream().anyMatch(f -> f.code() == finding.code() && f.subject().equals(finding.subject()))) {
      return this;
    }
    List<Finding> more = new ArrayList<>(findings);
    more.add(finding);
    more.sort(ORDER);
    return new Audit(Auditor.status(more), more);
  }
}
