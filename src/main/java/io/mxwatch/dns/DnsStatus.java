package io.mxwatch.dns;

/**
 * What a lookup came back with, as a label that can be stored and compared.
 *
 * <p>The split that matters: {@link #isAbsent() absent} answers (NXDOMAIN, NODATA) say the record
 * does not exist; {@link #isFailure() failures} (SERVFAIL, REFUSED, timeout, anything else) say
 * nothing about the record at all. Treating a failure as an absence is the classic false
 * "MX removed" page.
 */
public enum DnsStatus {
  RECORDS,
  NODATA,
  NXDOMAIN,
  SERVFAIL,
  REFUSED,
  TIMEOUT,
  ERROR;

  private final String label = name().toLowerCase(java.util.Locale.ROOT);

  /** The lookup did not get an answer about the name: its state is unknown. */
  public boolean isFailure() {
    return switch (this) {
      case SERVFAIL, REFUSED, TIMEOUT, ERROR -> true;
      case RECORDS, NODATA, NXDOMAIN -> false;
    };
  }

  /** The server answered that there is no such record (NODATA) or no such name (NXDOMAIN). */
  public boolean isAbsent() {
    return this == NODATA || this == NXDOMAIN;
  }

  /** The lowercase label used in reports and JSON, e.g. {@code nxdomain}. */
  public String label() {
    return label;
  }
}
