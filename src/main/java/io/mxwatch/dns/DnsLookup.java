package io.mxwatch.dns;

/**
 * One lookup made during a check and what came of it, as kept in a snapshot.
 *
 * @param name the queried name, without the trailing dot
 * @param type the record type, e.g. {@code MX}
 * @param outcome what the lookup came back with
 * @param detail a short description of the outcome
 * @param dnssec its DNSSEC validation; null when it was not validated
 */
public record DnsLookup(String name, String type, DnsStatus outcome, String detail, DnssecResult dnssec) {
  /** A lookup that was not validated. */
  public DnsLookup(String name, String type, DnsStatus outcome, String detail) {
    this(name, type, outcome, detail, null);
  }
}
