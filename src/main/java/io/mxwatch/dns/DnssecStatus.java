package io.mxwatch.dns;

/** What DNSSEC validation said about one answer (RFC 4035 §4.3). */
public enum DnssecStatus {
  /** Signed, and the signatures lead to a trust anchor. */
  SECURE,
  /** Provably unsigned: a parent zone says there is no DS (or no trust anchor covers the name). */
  INSECURE,
  /** Should be signed and is not, or the signatures do not verify: validating senders get SERVFAIL. */
  BOGUS,
  /** Could not be told: a lookup the validation needed failed, or the trust anchor is unavailable. */
  INDETERMINATE;

  /** The lowercase label of reports and JSON. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static DnssecStatus ofLabel(String label) {
    return valueOf(label.toUpperCase(java.util.Locale.ROOT));
  }
}
