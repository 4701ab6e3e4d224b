package io.mxwatch.audit;

import java.util.List;

/** The findings on one snapshot, worst first, and the status they add up to. */
public record Audit(Status status, List<Finding> findings) {
  public Audit {
    findings = List.copyOf(findings);
  }
}
