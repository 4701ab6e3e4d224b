package io.mxwatch.audit;

import java.util.Locale;

/**
 * The overall state of a domain, ordered from best to worst: OK, WARNING, UNKNOWN (a lookup failed,
 * so a problem may be hidden), CRITICAL (a problem is known). The exit codes are Nagios's.
 */
public enum Status {
  OK(0),
  WARNING(1),
  UNKNOWN(3),
  CRITICAL(2);

  private final int exitCode;
  private final String label = name().toLowerCase(Locale.ROOT);

  Status(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The Nagios plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  public int exitCode() {
    return exitCode;
  }

  public Status worst(Status other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  public String label() {
    return label;
  }
}
