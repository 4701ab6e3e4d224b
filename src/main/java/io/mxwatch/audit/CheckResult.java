package io.mxwatch.audit;

import io.mxwatch.snapshot.Snapshot;

/** One checked domain: what was seen and what the audit made of it. */
public record CheckResult(Snapshot snapshot, Audit audit) {
  public Status status() {
    return audit.status();
  }
}
