package io.mxwatch.audit;

import java.util.Locale;

/** How bad a finding is. */
public enum Severity {
  /** Worth knowing, nothing to fix. */
  INFO,
  /** Something is wrong or weak; mail still flows. */
  WARNING,
  /** Mail cannot be delivered, or receivers reject the domain's policy outright. */
  CRITICAL;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
