package io.mxwatch.drift;

import io.mxwatch.audit.Severity;

/**
 * One difference between two states of a domain, readable as before → after.
 *
 * @param code a {@link ChangeCode} name, or the code of an audit finding that appeared or cleared
 * @param severity how bad the change is
 * @param subject what it concerns (an exchange, an address, {@code spf}, {@code dmarc}); (domain,
 *     code, subject) identifies it
 * @param before the old value for people ("absent" when there was none)
 * @param after the new value for people ("absent" when there is none)
 */
public record Change(String code, Severity severity, String subject, String before, String after) {
  public static final String ABSENT = "absent";

  static Change of(ChangeCode code, String subject, String before, String after) {
    return new Change(code.name(), code.severity(), subject, before, after);
  }

  /** {@code CODE subject: before → after}. */
  @Override
  public String toString() {
    return code + " " + subject + ": " + before + " → " + after;
  }
}
