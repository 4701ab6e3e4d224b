package io.mxwatch.audit;

/**
 * One thing the audit found on one snapshot.
 *
 * @param code the stable code, e.g. {@code MX_TARGET_CNAME}
 * @param severity how bad it is here (a code has a usual severity; some rise with the situation)
 * @param subject the record or host it concerns; (domain, code, subject) identifies a finding
 * @param message what is wrong, for people
 */
public record Finding(FindingCode code, Severity severity, String subject, String message) {
  public static Finding of(FindingCode code, String subject, String message) {
    return new Finding(code, code.severity(), subject, message);
  }
}
